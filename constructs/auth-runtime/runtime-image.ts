import { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry/index.js';
import { ContainerRegistryScopeMap } from '@cdktf/provider-azurerm/lib/container-registry-scope-map/index.js';
import { ContainerRegistryToken } from '@cdktf/provider-azurerm/lib/container-registry-token/index.js';
import { ContainerRegistryTokenPassword } from '@cdktf/provider-azurerm/lib/container-registry-token-password/index.js';
import { Image } from '@cdktf/provider-docker/lib/image/index.js';
import { RegistryImage } from '@cdktf/provider-docker/lib/registry-image/index.js';
import { Construct } from 'constructs';
import { checkIntegerRange, checkPattern, ExpirySchedule, ValidationError } from '../core/index.js';
import { hashBuildContext } from './build-context-hash.js';

/** Azure Container Registry names: 5-50 letters and digits, globally unique. */
const REGISTRY_NAME_PATTERN = /^[A-Za-z0-9]{5,50}$/;

/** Build the runtime image from source during the deploy and push it to a registry created for it. */
export interface RuntimeImageBuildOptions {
  readonly kind: 'build';
  /** Globally unique Azure Container Registry name, 5-50 letters and digits. */
  readonly registryName: string;
  /** Absolute path of the build context (the repository root for `runtime/Dockerfile`). */
  readonly contextDirectory: string;
  /**
   * Dockerfile path, relative to `contextDirectory`.
   * @default "runtime/Dockerfile"
   */
  readonly dockerfile?: string;
  /**
   * Files and directories (relative to `contextDirectory`) the build reads; their hash is the image tag and the
   * rebuild trigger. Keep it in line with `.dockerignore`.
   * @default - the Dockerfile plus package.json, package-lock.json, tsconfig.json, catalog/ and the runtime's
   * package.json, tsconfig.json, bundle.ts, src/ and bin/
   */
  readonly contextPaths?: readonly string[];
  /**
   * Repository name in the registry.
   * @default "gatehouse-runtime"
   */
  readonly repository?: string;
  /**
   * Registry SKU.
   * @default "Basic"
   */
  readonly registrySku?: 'Basic' | 'Standard' | 'Premium';
  /**
   * Platform the image is built for (Container Apps runs linux/amd64).
   * @default "linux/amd64"
   */
  readonly platform?: string;
  /**
   * Days the registry push token's password is valid; the next apply after two thirds of it makes a new one.
   * @default 30
   */
  readonly pushTokenLifetimeDays?: number;
}

/** What the runtime build reads (see runtime/Dockerfile and .dockerignore). */
export const DEFAULT_RUNTIME_CONTEXT_PATHS: readonly string[] = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'catalog',
  'runtime/package.json',
  'runtime/tsconfig.json',
  'runtime/bundle.ts',
  'runtime/src',
  'runtime/bin',
];

export interface RuntimeImageBuildProps extends RuntimeImageBuildOptions {
  readonly resourceGroupName: string;
  readonly location: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Builds the runtime image with the deploy machine's Docker engine (`docker_image`, rebuilt when the context hash
 * changes) and pushes it (`docker_registry_image`) to an Azure Container Registry created here, with admin access off.
 * The push authenticates with a registry token limited to this one repository (read/write), whose password expires.
 * `imageReference` is the pushed digest, so every new build rolls a new Container App revision. Needs the `docker`
 * provider in the stack.
 */
export class RuntimeImageBuild extends Construct {
  readonly registry: ContainerRegistry;
  readonly registryId: string;
  readonly registryLoginServer: string;
  /** `<login server>/<repository>@sha256:<digest>` of the pushed image (known at apply time). */
  readonly imageReference: string;
  /** SHA-256 of the build context, the image tag's source. */
  readonly contextHash: string;

  constructor(scope: Construct, id: string, props: RuntimeImageBuildProps) {
    super(scope, id);
    checkPattern(this, 'image.registryName', props.registryName, REGISTRY_NAME_PATTERN, '5-50 letters or digits');
    const repository = props.repository ?? 'gatehouse-runtime';
    checkPattern(
      this,
      'image.repository',
      repository,
      /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/,
      'a lower-case repository path',
    );
    if (typeof props.contextDirectory !== 'string' || !props.contextDirectory.startsWith('/')) {
      throw new ValidationError(this, 'image.contextDirectory', 'an absolute directory path', props.contextDirectory);
    }
    const pushTokenLifetimeDays = props.pushTokenLifetimeDays ?? 30;
    checkIntegerRange(this, 'image.pushTokenLifetimeDays', pushTokenLifetimeDays, 2, 365);
    const dockerfile = props.dockerfile ?? 'runtime/Dockerfile';
    const contextPaths = [dockerfile, ...(props.contextPaths ?? DEFAULT_RUNTIME_CONTEXT_PATHS)];
    try {
      this.contextHash = hashBuildContext(props.contextDirectory, contextPaths);
    } catch (error) {
      throw new ValidationError(this, 'image.contextPaths', 'paths that exist under contextDirectory', contextPaths, {
        cause: error,
      });
    }

    this.registry = new ContainerRegistry(this, 'Registry', {
      name: props.registryName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: props.registrySku ?? 'Basic',
      adminEnabled: false,
      anonymousPullEnabled: false,
      tags: props.tags ? { ...props.tags } : undefined,
    });
    this.registryId = this.registry.id;
    this.registryLoginServer = this.registry.loginServer;

    const pushScope = new ContainerRegistryScopeMap(this, 'PushScope', {
      name: 'gatehouse-image-push',
      containerRegistryName: this.registry.name,
      resourceGroupName: props.resourceGroupName,
      description: `Push and pull ${repository} only (the deploy's image build)`,
      actions: [`repositories/${repository}/content/read`, `repositories/${repository}/content/write`],
    });
    const pushToken = new ContainerRegistryToken(this, 'PushToken', {
      name: 'gatehouse-image-push',
      containerRegistryName: this.registry.name,
      resourceGroupName: props.resourceGroupName,
      scopeMapId: pushScope.id,
    });
    const tokenExpiry = new ExpirySchedule(this, 'PushTokenExpiry', {
      lifetimeDays: pushTokenLifetimeDays,
      rotateAfterDays: Math.max(1, Math.floor((pushTokenLifetimeDays * 2) / 3)),
    });
    const pushPassword = new ContainerRegistryTokenPassword(this, 'PushTokenPassword', {
      containerRegistryTokenId: pushToken.id,
      password1: { expiry: tokenExpiry.expiresAtRfc3339 },
    });

    const triggers = { context_sha256: this.contextHash };
    const image = new Image(this, 'Image', {
      name: `${this.registry.loginServer}/${repository}:${this.contextHash.slice(0, 16)}`,
      buildAttribute: { context: props.contextDirectory, dockerfile, platform: props.platform ?? 'linux/amd64' },
      triggers,
      keepLocally: true,
    });
    const pushed = new RegistryImage(this, 'Push', {
      name: image.name,
      triggers,
      // Older revisions keep pulling their digest while a new revision starts.
      keepRemotely: true,
      authConfig: {
        address: this.registry.loginServer,
        username: pushToken.name,
        password: pushPassword.password1.value,
      },
    });
    this.imageReference = `${this.registry.loginServer}/${repository}@${pushed.sha256Digest}`;
  }
}
