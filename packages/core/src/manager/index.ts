export { ModelManager, type ModelManagerOptions } from './model-manager.js';
export type { ModelState, ModelStateEvent, ModelLoadProgressEvent, ModelSnapshot, MemorySnapshot, UnloadReason } from './model-state.js';
export { planAdmission, type AdmissionCandidate, type AdmissionPlan } from './memory-plan.js';
