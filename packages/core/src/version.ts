/** The version of the contracts this core implements; plugins declare a range against it. */
export const LLMUX_CORE_VERSION = '1.0.0';
