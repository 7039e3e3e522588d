/**
 * The fleet matrix lives once, in the shared contract (preload/rules/fleet-matrix.ts: pure, used by the main process
 * and the renderer alike); re-exported here for the main-process side.
 */
export * from '../../preload/rules/fleet-matrix'
