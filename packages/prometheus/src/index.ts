export { metricsHandler } from './metrics-handler.js';
export { PrometheusMetricsRecorder, type PrometheusMetricsRecorderOptions } from './prometheus-metrics-recorder.js';
