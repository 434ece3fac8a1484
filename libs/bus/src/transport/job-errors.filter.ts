/**
 * Nest's default RPC exception filter replaces every error that is not an RpcException with
 * `{ status: 'error', message: 'Internal server error' }`. The transport decides ack, nak or term by
 * the error's class (PermanentJobError, BusMessageError) and the control plane replies with its
 * message, so handlers behind the JetStream transport hand their errors through unchanged.
 */
import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

@Catch()
export class PassThroughRpcErrors implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
