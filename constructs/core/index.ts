export { checkIntegerRange, checkNoDuplicates, checkPattern } from './checks.js';
export { nextChildId } from './child-id.js';
export { defaultRotateAfterDays, ExpirySchedule, type ExpiryScheduleProps } from './expiry-schedule.js';
export { GatehousePolicy } from './policy.js';
export { propagationWait, RBAC_PROPAGATION_DEFAULT_SECONDS, RBAC_PROPAGATION_MAX_SECONDS } from './propagation.js';
export { checkRedirectUri, isLoopbackHttpUri } from './redirect-uri.js';
export { type EntraPermissionKind, GATEHOUSE_ID_NAMESPACE, stableEntraId } from './stable-id.js';
export { ValidationError } from './validation-error.js';
