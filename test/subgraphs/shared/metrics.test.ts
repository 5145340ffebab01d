import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../subgraphs/shared/config.ts';
import { MAX_OPERATION_LABELS, operationLabel, readMetricsConfig } from '../../../subgraphs/shared/metrics.ts';
import { startTracingFromEnv, tracingEnabled } from '../../../subgraphs/shared/tracing.ts';

describe('readMetricsConfig', () => {
  it('should take the service variable over METRICS_PORT over the default, bind loopback by default, and turn off with off', () => {
    expect(readMetricsConfig({}, 'leave', 9402)).toEqual({ port: 9402, host: '127.0.0.1' });
    expect(readMetricsConfig({ METRICS_PORT: '9500', METRICS_HOST: '0.0.0.0' }, 'leave', 9402)).toEqual({ port: 9500, host: '0.0.0.0' });
    expect(readMetricsConfig({ METRICS_PORT: '9500', LEAVE_METRICS_PORT: '9600' }, 'leave', 9402)).toEqual({ port: 9600, host: '127.0.0.1' });
    expect(readMetricsConfig({ METRICS_PORT: 'off' }, 'leave', 9402)).toBeNull();
    expect(readMetricsConfig({ METRICS_PORT: '9500', LEAVE_METRICS_PORT: 'off' }, 'leave', 9402)).toBeNull();
  });

  it('should refuse a port that is not an integer from 0 to 65535, naming the variable', () => {
    expect(() => readMetricsConfig({ GATEWAY_METRICS_PORT: '70000' }, 'gateway', 9400)).toThrow(ConfigError);
    expect(() => readMetricsConfig({ METRICS_PORT: 'nine' }, 'gateway', 9400)).toThrow(/METRICS_PORT must be an integer/);
  });
});

describe('operationLabel', () => {
  it('should name anonymous and invalid operations and cap the distinct names', () => {
    expect(operationLabel(undefined)).toBe('anonymous');
    expect(operationLabel('')).toBe('anonymous');
    expect(operationLabel('not a name')).toBe('invalid');
    expect(operationLabel('x'.repeat(65))).toBe('invalid');
    expect(operationLabel('Dashboard')).toBe('Dashboard');
    for (let i = 0; i < MAX_OPERATION_LABELS; i++) operationLabel(`Op${i}`);
    expect(operationLabel('OneTooMany')).toBe('other');
    // Names seen before the cap keep their series.
    expect(operationLabel('Dashboard')).toBe('Dashboard');
  });
});

describe('tracing from the environment', () => {
  it('should stay off without an OTLP endpoint', async () => {
    expect(await startTracingFromEnv({}, 'gateway')).toBeNull();
    expect(tracingEnabled()).toBe(false);
  });
});
