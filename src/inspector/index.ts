// gomem/inspector: serveInspector(heap), a live web view of a heap (Node: node:http), and the demo workloads.
export { InspectorError, serveInspector, type Inspector, type InspectorOptions } from './server.js';
export { WORKLOAD_NAMES, makeWorkload, type Workload, type WorkloadName } from './workloads.js';
