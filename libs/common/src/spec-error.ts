/**
 * An error in what a spec, a flag or a message asks for. It is a function of the request alone, so
 * running it again gives the same error: job transports treat it as permanent (dead letter on the
 * first delivery) instead of retrying it as if the machine had hiccuped.
 */
export class SpecError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SpecError';
  }
}
