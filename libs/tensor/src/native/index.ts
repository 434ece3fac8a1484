/**
 * The native engine (issue 5) registers the 'native' tfjs backend here.
 * Until the addon is built this throws, and backend selection moves on to the next choice.
 */
export async function registerNativeBackend(): Promise<void> {
  throw new Error('the native addon is not part of this build yet');
}
