import { App } from 'aws-cdk-lib';
import { expect, it } from 'vitest';
import { readDeployContext } from '../../infra/deploy-context.ts';

it('reads smsSenderId, sesIdentity, opsAlertEmail and unsubscribeSecretVersion from CDK context', () => {
  const context = { smsSenderId: 'CARELINE', sesIdentity: 'shop.example', opsAlertEmail: ' ops@shop.example ', unsubscribeSecretVersion: 'v-2' };
  expect(readDeployContext(new App({ context }))).toEqual({ ...context, opsAlertEmail: 'ops@shop.example' });
});

it('treats missing and empty values as not set', () => {
  const app = new App({ context: { sesIdentity: '' } });
  expect(readDeployContext(app)).toEqual({ smsSenderId: undefined, sesIdentity: undefined, opsAlertEmail: undefined, unsubscribeSecretVersion: undefined });
});

it('refuses a value that is not a string rather than deploying with it', () => {
  const app = new App({ context: { opsAlertEmail: ['ops@shop.example'] } });
  expect(() => readDeployContext(app)).toThrow(/opsAlertEmail.*must be a string/);
});

it('refuses an SMS sender id that carriers would reject, before anything is deployed', () => {
  for (const smsSenderId of ['12345', 'TooLongSender1', 'Tea House']) {
    expect(() => readDeployContext(new App({ context: { smsSenderId } }))).toThrow(/smsSenderId.*1–11 letters or digits/);
  }
});
