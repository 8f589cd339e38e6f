export {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_MEMORY_RECORD_COUNT,
  ATTR_GEN_AI_MEMORY_STORE_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_MEMORY_OPERATION,
  ATTR_MEMORY_PROVIDER,
  GEN_AI_MEMORY_OPERATION_NAMES,
} from './gen-ai-memory-attributes.js';
export {
  OPERATION_DURATION_METRIC,
  OpenTelemetryMetricsRecorder,
  type OpenTelemetryMetricsRecorderOptions,
} from './opentelemetry-metrics-recorder.js';
