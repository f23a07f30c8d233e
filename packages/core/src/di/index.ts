export {
  ConfigToken,
  LoggerToken,
  BackendRegistryToken,
  RouterRegistryToken,
  StoreRegistryToken,
  ModelStoreToken,
  ModelManagerToken,
  RouterToken,
} from './tokens.js';
export { container, type DependencyContainer, type InjectionToken } from 'tsyringe';
