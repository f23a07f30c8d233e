/** The prompt the suites give stories260K. */
export const STORY = 'Once upon a time';
/** Its greedy continuation by stories260K, the same on every machine. */
export const STORY_CONTINUATION = ', there was a little girl named Lily. She loved to play outside in the park.';
