#!/usr/bin/env node
// The CDK app: one stack, configured by context values (cdk.json, or -c key=value on the command line).
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { FanoutStack, ServiceVariant, WorkerRuntime } from '../lib/fanout-stack.js';

const app = new App();

/** A context value given as a comma-separated string (-c key=a,b) or as a JSON list (cdk.json). */
function list(value: unknown): string[] | undefined {
  if (value === undefined) {
    return undefined;
  }
  const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
  return items.map((s) => s.trim()).filter((s) => s !== '');
}
const repoRoot = path.resolve(__dirname, '..', '..');
const workerRuntime = (app.node.tryGetContext('workerRuntime') ?? 'java21') as WorkerRuntime;
const serviceVariant = (app.node.tryGetContext('serviceVariant') ?? 'jvm') as ServiceVariant;

new FanoutStack(app, app.node.tryGetContext('stackName') ?? 'Fanout', {
  repoRoot,
  workerRuntime,
  workerZip: app.node.tryGetContext('workerZip'),
  serviceVariant,
  serviceImage: app.node.tryGetContext('serviceImage'),
  // -c functionsPath=path/to/functions.jar,dir/of/jars: the users' function jars (a worker layer, and in the service)
  functionsPath: app.node.tryGetContext('functionsPath'),
  // -c invokableFunctionArns=arn:aws:lambda:...:function:a,...: functions `invoke` tasks may call
  invokableFunctionArns: list(app.node.tryGetContext('invokableFunctionArns')),
  // -c apiKeyNames=alice,ops:admin: a generated key per name (role submitter, or admin), instead of the one legacy key
  apiKeyNames: list(app.node.tryGetContext('apiKeyNames')),
  // -c certificateArn=arn:aws:acm:...: HTTPS on 443 with that certificate, plain HTTP on 80 redirecting to it
  certificateArn: app.node.tryGetContext('certificateArn'),
  env: process.env.CDK_DEFAULT_ACCOUNT
    ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
    : undefined,
});
