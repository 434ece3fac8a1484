/** The probe-fitter service runs the 'fit' jobs: statistics, probes and consistency. */
export const PROBE_FITTER_STAGE = 'fitting';
