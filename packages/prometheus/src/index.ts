export { metricsHandler, type MetricsHandlerContext } from './metrics-handler.js';
export { PrometheusMetricsRecorder, type PrometheusMetricsRecorderOptions } from './prometheus-metrics-recorder.js';
