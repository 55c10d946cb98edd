#!/usr/bin/env node
// The CDK app: one stack, configured by context values (cdk.json, or -c key=value on the command line).
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { FanoutStack, ServiceVariant, WorkerRuntime } from '../lib/fanout-stack.js';

const app = new App();
const repoRoot = path.resolve(__dirname, '..', '..');
const workerRuntime = (app.node.tryGetContext('workerRuntime') ?? 'java21') as WorkerRuntime;
const serviceVariant = (app.node.tryGetContext('serviceVariant') ?? 'jvm') as ServiceVariant;

new FanoutStack(app, app.node.tryGetContext('stackName') ?? 'Fanout', {
  repoRoot,
  workerRuntime,
  workerZip: app.node.tryGetContext('workerZip'),
  serviceVariant,
  serviceImage: app.node.tryGetContext('serviceImage'),
  env: process.env.CDK_DEFAULT_ACCOUNT
    ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
    : undefined,
});
