import { Offset } from '@cdktf/provider-time/lib/offset/index.js';
import { Rotating } from '@cdktf/provider-time/lib/rotating/index.js';
import { Construct } from 'constructs';

export interface ExpiryScheduleProps {
  /** Days from (re)creation until the credential expires. */
  readonly lifetimeDays: number;
  /** Days after which the next apply rotates the credential; must be less than `lifetimeDays`. */
  readonly rotateAfterDays: number;
}

/**
 * A `time_rotating` ("Rotation") that turns over every `rotateAfterDays`, and a `time_offset` ("Expiry") that is
 * `lifetimeDays` after the latest rotation. Both timestamps live in Terraform state, so synth output never contains a
 * wall-clock value and stays identical run to run. Rotation happens on the first apply after the rotation date:
 * apply at least every `lifetimeDays - rotateAfterDays` days so a credential never expires in use.
 */
export class ExpirySchedule extends Construct {
  /** Changes (new id) whenever the schedule rotates; feed it to `rotate_when_changed` or `keepers`. */
  readonly rotationId: string;
  /** RFC 3339 expiry timestamp, known at apply time. */
  readonly expiresAtRfc3339: string;

  constructor(scope: Construct, id: string, props: ExpiryScheduleProps) {
    super(scope, id);
    const rotation = new Rotating(this, 'Rotation', { rotationDays: props.rotateAfterDays });
    const expiry = new Offset(this, 'Expiry', { baseRfc3339: rotation.rfc3339, offsetDays: props.lifetimeDays });
    this.rotationId = rotation.id;
    this.expiresAtRfc3339 = expiry.rfc3339;
  }
}

/** Default rotation point: two thirds into the lifetime, so there is a third of it left to run an apply. */
export function defaultRotateAfterDays(lifetimeDays: number): number {
  return Math.max(1, Math.floor((lifetimeDays * 2) / 3));
}
