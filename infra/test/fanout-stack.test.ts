// Assertions on the synthesised template: no AWS account needed (node --import tsx --test).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FanoutStack, LOAD_BALANCER_IDLE_SECONDS, WorkerRuntime } from '../lib/fanout-stack.js';

const repoRoot = path.resolve(__dirname, '..', '..');

function synth(workerRuntime: WorkerRuntime = 'java21'): Template {
  const app = new App();
  return Template.fromStack(new FanoutStack(app, 'Test', { repoRoot, workerRuntime, serviceVariant: 'jvm' }));
}

type Statement = { Action: string | string[]; Resource?: unknown; Effect: string };

function statements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } })
      .Properties.PolicyDocument.Statement);
}

function actions(s: Statement): string[] {
  return Array.isArray(s.Action) ? s.Action : [s.Action];
}

const workerLogicalId = (t: Template) => Object.keys(t.findResources('AWS::Lambda::Function', {
  Properties: { Description: Match.stringLikeRegexp('fanout worker') },
}))[0];

test('the JVM worker runs on java21 with the Quarkus handler and SnapStart', () => {
  const t = synth('java21');
  t.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'java21',
    Handler: 'io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest',
    SnapStart: { ApplyOn: 'PublishedVersions' },
    MemorySize: { Ref: 'WorkerMemoryMb' },
    Timeout: { Ref: 'WorkerTimeoutSeconds' },
    ReservedConcurrentExecutions: { Ref: 'WorkerReservedConcurrency' },
  });
  t.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live' });
});

test('the native worker runs on provided.al2023 without SnapStart', () => {
  const t = synth('provided.al2023');
  t.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'provided.al2023',
    SnapStart: Match.absent(),
  });
});

test('memory, timeout and reserved concurrency are stack parameters with safe ranges', () => {
  const t = synth();
  t.hasParameter('WorkerMemoryMb', { Type: 'Number', MinValue: 128, MaxValue: 10240 });
  t.hasParameter('WorkerTimeoutSeconds', { Type: 'Number', MinValue: 10, MaxValue: 900 });
  t.hasParameter('WorkerReservedConcurrency', { Type: 'Number', MinValue: 1 });
});

test('the service may invoke exactly the worker function, its versions and aliases', () => {
  const t = synth();
  const worker = workerLogicalId(t);
  const invokes = statements(t).filter((s) => actions(s).includes('lambda:InvokeFunction'));
  assert.equal(invokes.length, 1, 'one invoke grant');
  assert.deepEqual(invokes[0].Resource, [
    { 'Fn::GetAtt': [worker, 'Arn'] },
    { 'Fn::Join': ['', [{ 'Fn::GetAtt': [worker, 'Arn'] }, ':*']] },
  ]);
  assert.deepEqual(actions(invokes[0]), ['lambda:InvokeFunction']);
  const taskRole = Object.keys(t.findResources('AWS::IAM::Role', {
    Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'ecs-tasks.amazonaws.com' } }] },
      Description: Match.stringLikeRegexp('may invoke') },
  }));
  assert.equal(taskRole.length, 1);
  t.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: [Match.objectLike({ Action: 'lambda:InvokeFunction' })] },
    Roles: [{ Ref: taskRole[0] }],
  });
});

test('no grant is wider than needed: no lambda:* and no Resource "*"', () => {
  const t = synth();
  for (const s of statements(t)) {
    for (const a of actions(s)) {
      assert.ok(a !== '*' && a !== 'lambda:*' && !a.endsWith(':*'), `wildcard action ${a}`);
    }
    const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    if (resources.includes('*')) {
      // the only action AWS offers no resource scope for: pulling the service image from ECR needs it
      assert.deepEqual(actions(s), ['ecr:GetAuthorizationToken'], `Resource "*" for ${actions(s)}`);
    }
  }
  // the worker has no managed policy (AWSLambdaBasicExecutionRole grants logs on "*"): only its own log group
  const roles = t.findResources('AWS::IAM::Role');
  for (const [id, role] of Object.entries(roles)) {
    assert.equal((role as { Properties: { ManagedPolicyArns?: unknown } }).Properties.ManagedPolicyArns, undefined,
      `${id} has managed policies`);
  }
});

test('the service reads the function timeout from the same parameter that sets it, and talks to the alias', () => {
  const t = synth();
  t.hasResourceProperties('AWS::ECS::TaskDefinition', {
    ContainerDefinitions: [Match.objectLike({
      // in the order the stack writes them
      Environment: Match.arrayWith([
        { Name: 'FANOUT_LAMBDA_FUNCTION_NAME', Value: Match.objectLike({ Ref: Match.stringLikeRegexp('WorkerAlias') }) },
        { Name: 'FANOUT_LAMBDA_FUNCTION_TIMEOUT', Value: { 'Fn::Join': ['', [{ Ref: 'WorkerTimeoutSeconds' }, 's']] } },
        { Name: 'FANOUT_LAMBDA_MAX_CONCURRENCY', Value: { Ref: 'WorkerReservedConcurrency' } },
        { Name: 'FANOUT_BATCH_DEFAULT_CPU_BACKEND', Value: 'lambda' },
      ]),
    })],
  });
});

test('the service gets its API keys from a generated secret, readable by its execution role only', () => {
  const t = synth();
  const secret = Object.keys(t.findResources('AWS::SecretsManager::Secret'))[0];
  assert.ok(secret, 'a secret');
  t.hasResourceProperties('AWS::ECS::TaskDefinition', {
    ContainerDefinitions: [Match.objectLike({
      Secrets: [{ Name: 'FANOUT_AUTH_API_KEYS', ValueFrom: { Ref: secret } }],
    })],
  });
  const reads = statements(t).filter((s) => actions(s).includes('secretsmanager:GetSecretValue'));
  assert.equal(reads.length, 1);
  assert.deepEqual(reads[0].Resource, { Ref: secret });
});

test('the load balancer keeps quiet connections longer than the longest ?wait=', () => {
  const t = synth();
  t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
    LoadBalancerAttributes: Match.arrayWith([
      { Key: 'idle_timeout.timeout_seconds', Value: String(LOAD_BALANCER_IDLE_SECONDS) },
    ]),
  });
  assert.ok(LOAD_BALANCER_IDLE_SECONDS > 300, 'above fanout.api.max-wait (5m)');
  t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/q/health/ready' });
});

test('logs have a retention and the stack outputs the service URL and the function name', () => {
  const t = synth();
  const groups = Object.values(t.findResources('AWS::Logs::LogGroup'));
  assert.equal(groups.length, 2);
  for (const g of groups) {
    assert.equal((g as { Properties: { RetentionInDays: number } }).Properties.RetentionInDays, 30);
  }
  t.hasOutput('ServiceUrl', {});
  t.hasOutput('WorkerFunctionName', {});
  t.hasOutput('ApiKeySecretArn', {});
});
