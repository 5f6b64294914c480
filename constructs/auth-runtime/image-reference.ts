import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import { ValidationError } from '../core/index.js';

/**
 * `registry/path/name:tag`, `registry/path/name@sha256:<64 hex>` or both. The tag or digest is what makes a deploy
 * reproducible and what makes a new image roll a new revision; `latest` by omission is refused.
 */
const IMAGE_REFERENCE =
  /^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** Throws unless `image` names a tag or a digest. Tokens (a digest known at apply time) are accepted as is. */
export function checkImageReference(scope: IConstruct, prop: string, image: string): void {
  if (Token.isUnresolved(image)) return;
  const allowed = 'an image reference with a tag or digest, e.g. "myregistry.azurecr.io/gatehouse@sha256:<64 hex>"';
  if (typeof image !== 'string' || !IMAGE_REFERENCE.test(image)) throw new ValidationError(scope, prop, allowed, image);
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  if (!lastSegment.includes(':') && !lastSegment.includes('@')) throw new ValidationError(scope, prop, allowed, image);
}
