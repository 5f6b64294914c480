export {
  STATE_ACCESS_ROLE,
  type StateAccessOptions,
  StateStorage,
  type StateStorageProps,
  type StateStorageReplication,
} from './state-storage.js';
