// The CDK app (`cdk.json` runs it with tsx). Everything is built in app-builder.ts so the tests
// see the same app; synthesis fails on any cdk-nag finding that is not acknowledged with a reason.
import { buildApp } from './app-builder.ts';

buildApp().app.synth();
