import { defineConfig } from 'vitest/config';

// Three projects, one run: pure unit tests, integration tests against one DynamoDB Local
// started by the global setup, and infra tests against the synthesized CDK template.
export default defineConfig({
  test: {
    // Local runs use Node 20; the SDK's notice about its future Node 22 floor is noise in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'WARN' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/integration/dynamo-global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      { extends: true, test: { name: 'infra', include: ['tests/infra/**/*.test.ts'], testTimeout: 120_000 } },
    ],
  },
});
