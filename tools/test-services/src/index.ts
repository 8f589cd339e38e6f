export { freePort, RedisClusterProcesses, RedisServerProcess, scanKeys } from './redis-server-process.js';
