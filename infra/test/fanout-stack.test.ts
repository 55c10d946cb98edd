// Assertions on the synthesised template: no AWS account needed (node --import tsx --test).
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import {
  API_MAX_WAIT_SECONDS, DATABASE_PORT, FanoutStack, FanoutStackProps, SERVICE_FUNCTIONS_DIR, WORKER_FUNCTIONS_DIR, LOAD_BALANCER_IDLE_SECONDS, SERVICE_SHUTDOWN_SECONDS, WorkerRuntime,
  MANAGEMENT_PORT, SERVICE_PORT,
} from '../lib/fanout-stack.js';

const repoRoot = path.resolve(__dirname, '..', '..');

function synth(workerRuntime: WorkerRuntime = 'java21', more: Partial<FanoutStackProps> = {}): Template {
  const app = new App();
  return Template.fromStack(new FanoutStack(app, 'Test', { repoRoot, workerRuntime, serviceVariant: 'jvm', ...more }));
}

/** The directories functionsDir made, deleted once the tests are done (each run used to leave them in /tmp). */
const madeDirs: string[] = [];
after(() => madeDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A directory with a jar in it, as a user's build leaves one. */
function functionsDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fanout-functions-'));
  madeDirs.push(dir);
  fs.writeFileSync(path.join(dir, 'my-functions-1.0.jar'), 'PK\u0005\u0006' + '\u0000'.repeat(18));
  return dir;
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

type Resource = {
  Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string;
};

/** The one resource of a type (and the properties given), with its logical id. */
function only(t: Template, type: string, props?: object): [string, Resource] {
  const found = Object.entries(t.findResources(type, props ? { Properties: props } : undefined));
  assert.equal(found.length, 1, `one ${type}`);
  return found[0] as [string, Resource];
}

/** The service's one container. */
function container(t: Template): Record<string, any> {
  const [, taskDef] = only(t, 'AWS::ECS::TaskDefinition');
  assert.equal(taskDef.Properties.ContainerDefinitions.length, 1);
  return taskDef.Properties.ContainerDefinitions[0];
}

const apiKeysLogicalId = (t: Template) => only(t, 'AWS::SecretsManager::Secret', {
  Description: Match.stringLikeRegexp('fanout API keys'),
})[0];

/** The database's generated secret, and the attachment (its ARN, with host, port and dbname added) the stack uses. */
function databaseSecret(t: Template): { secret: string; attachment: string } {
  const [secret] = only(t, 'AWS::SecretsManager::Secret', {
    GenerateSecretString: Match.objectLike({
      SecretStringTemplate: '{"username":"fanout"}', GenerateStringKey: 'password',
    }),
  });
  const [cluster] = only(t, 'AWS::RDS::DBCluster');
  const [attachment] = only(t, 'AWS::SecretsManager::SecretTargetAttachment', {
    SecretId: { Ref: secret }, TargetId: { Ref: cluster }, TargetType: 'AWS::RDS::DBCluster',
  });
  return { secret, attachment };
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

test('the native variants deploy what the native builds leave: the worker zip of -Dlambda -Dnative, the binary in Dockerfile.native', () => {
  // a repository root as bin/test-native (or native/build.sh) leaves it, with the stand-ins of its two outputs
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fanout-native-root-'));
  madeDirs.push(root);
  const withDockerfile = (dir: string) => {
    fs.mkdirSync(path.join(dir, 'src', 'main', 'docker'), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, 'src', 'main', 'docker', 'Dockerfile.native'),
      path.join(dir, 'src', 'main', 'docker', 'Dockerfile.native'));
    return dir;
  };
  withDockerfile(root);
  fs.mkdirSync(path.join(root, 'target', 'lambda-native'), { recursive: true });
  fs.writeFileSync(path.join(root, 'target', 'lambda-native', 'function.zip'), 'PK\u0005\u0006' + '\u0000'.repeat(18));
  fs.writeFileSync(path.join(root, 'target', 'fanout-0.1.0-SNAPSHOT-runner'), '');
  const stack = new FanoutStack(new App(), 'Test', { repoRoot: root, workerRuntime: 'provided.al2023', serviceVariant: 'native' });
  Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('not built|does not exist'));
  Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'provided.al2023', Handler: 'bootstrap' });
  // and without them, the synth says what is missing
  const missing = new FanoutStack(new App(), 'Test', { repoRoot: withDockerfile(fs.mkdtempSync(path.join(root, 'empty-'))),
    workerRuntime: 'provided.al2023', serviceVariant: 'native' });
  Annotations.fromStack(missing).hasWarning('*', Match.stringLikeRegexp('lambda-native/function.zip does not exist'));
  Annotations.fromStack(missing).hasWarning('*', Match.stringLikeRegexp('the native service is not built'));
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

test('the service gets its API keys from a generated secret', () => {
  const t = synth();
  const apiKeys = apiKeysLogicalId(t);
  assert.deepEqual(container(t).Secrets.find((e: { Name: string }) => e.Name === 'FANOUT_AUTH_API_KEYS'),
    { Name: 'FANOUT_AUTH_API_KEYS', ValueFrom: { Ref: apiKeys } });
});

test('only the execution role reads secrets, and only the API keys and the database credentials', () => {
  const t = synth();
  const { attachment } = databaseSecret(t);
  const secretStatements = statements(t).filter((s) => actions(s).some((a) => a.startsWith('secretsmanager:')));
  const resources = secretStatements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
  assert.deepEqual(new Set(resources.map((r) => JSON.stringify(r))), new Set([
    JSON.stringify({ Ref: apiKeysLogicalId(t) }), JSON.stringify({ Ref: attachment }),
  ]));
  for (const s of secretStatements) {
    assert.deepEqual(actions(s).sort(), ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
  }
  const [, taskDef] = only(t, 'AWS::ECS::TaskDefinition');
  const executionRole = taskDef.Properties.ExecutionRoleArn['Fn::GetAtt'][0];
  const policies = Object.values(t.findResources('AWS::IAM::Policy')) as Resource[];
  for (const p of policies) {
    const grantsSecrets = (p.Properties.PolicyDocument.Statement as Statement[])
      .some((s) => actions(s).some((a) => a.startsWith('secretsmanager:')));
    if (grantsSecrets) {
      assert.deepEqual(p.Properties.Roles, [{ Ref: executionRole }], 'secrets are read by the execution role only');
    }
  }
});

test('the database: Aurora PostgreSQL 15 Serverless v2, encrypted, in the private subnets the service uses', () => {
  const t = synth();
  const [, cluster] = only(t, 'AWS::RDS::DBCluster');
  assert.equal(cluster.Properties.Engine, 'aurora-postgresql');
  assert.match(cluster.Properties.EngineVersion, /^15\./);
  assert.equal(cluster.Properties.StorageEncrypted, true);
  assert.deepEqual(cluster.Properties.ServerlessV2ScalingConfiguration, { MinCapacity: 0.5, MaxCapacity: 8 });
  assert.equal(cluster.Properties.DatabaseName, 'fanout');
  assert.equal(cluster.Properties.Port, DATABASE_PORT);
  assert.equal(cluster.Properties.BackupRetentionPeriod, 7);
  t.hasResourceProperties('AWS::RDS::DBInstance', {
    DBInstanceClass: 'db.serverless', Engine: 'aurora-postgresql', PubliclyAccessible: false,
  });
  t.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
    Family: 'aurora-postgresql15', Parameters: { 'rds.force_ssl': '1' },
  });
  // the subnet group: the service's own (private) subnets
  const [, subnets] = only(t, 'AWS::RDS::DBSubnetGroup');
  const [, service] = only(t, 'AWS::ECS::Service');
  assert.deepEqual(subnets.Properties.SubnetIds, service.Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets);
  assert.equal(service.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp, 'DISABLED');
  for (const s of subnets.Properties.SubnetIds as { Ref: string }[]) {
    assert.match(s.Ref, /PrivateSubnet/);
  }
});

test('the database survives the stack: deletion protection, a snapshot when deleted or replaced', () => {
  const t = synth();
  const [, cluster] = only(t, 'AWS::RDS::DBCluster');
  assert.equal(cluster.Properties.DeletionProtection, true);
  assert.equal(cluster.DeletionPolicy, 'Snapshot');
  assert.equal(cluster.UpdateReplacePolicy, 'Snapshot');
});

test('only the service\'s security group reaches the database, on 5432, with no address range', () => {
  const t = synth();
  const [, cluster] = only(t, 'AWS::RDS::DBCluster');
  assert.equal(cluster.Properties.VpcSecurityGroupIds.length, 1);
  const databaseGroup = cluster.Properties.VpcSecurityGroupIds[0]['Fn::GetAtt'][0];
  const [, service] = only(t, 'AWS::ECS::Service');
  const serviceGroups = service.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups;
  assert.equal(serviceGroups.length, 1);

  const group = t.findResources('AWS::EC2::SecurityGroup')[databaseGroup] as Resource;
  assert.equal(group.Properties.SecurityGroupIngress, undefined, 'no inline ingress');
  // allowAllOutbound: false leaves CDK's placeholder, a rule that matches no traffic
  assert.deepEqual(group.Properties.SecurityGroupEgress, [
    {
      CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic', FromPort: 252, IpProtocol: 'icmp', ToPort: 86,
    },
  ]);
  const databaseGroupId = { 'Fn::GetAtt': [databaseGroup, 'GroupId'] };
  const ingress = (Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')) as Resource[])
    .filter((r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify(databaseGroupId));
  assert.equal(ingress.length, 1, 'one ingress rule on the database');
  assert.deepEqual(ingress[0].Properties, {
    Description: 'PostgreSQL from the fanout service tasks',
    GroupId: databaseGroupId,
    IpProtocol: 'tcp',
    FromPort: 5432,
    ToPort: 5432,
    SourceSecurityGroupId: serviceGroups[0],
  });
});

test('the store is wired from the stack: postgres, the cluster\'s endpoint, credentials as ECS secrets', () => {
  const t = synth();
  const [cluster] = only(t, 'AWS::RDS::DBCluster');
  const { attachment } = databaseSecret(t);
  const c = container(t);
  const env = Object.fromEntries((c.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]));
  assert.equal(env.FANOUT_STORE_KIND, 'postgres');
  assert.deepEqual(env.FANOUT_STORE_URL, { 'Fn::Join': ['', [
    'jdbc:postgresql://', { 'Fn::GetAtt': [cluster, 'Endpoint.Address'] }, ':',
    { 'Fn::GetAtt': [cluster, 'Endpoint.Port'] }, '/fanout',
  ]] });
  assert.equal(env.FANOUT_STORE_LEASE_DURATION, undefined, 'the service\'s default lease');
  assert.deepEqual(c.Secrets.filter((e: { Name: string }) => e.Name.startsWith('FANOUT_STORE_')), [
    { Name: 'FANOUT_STORE_USERNAME', ValueFrom: { 'Fn::Join': ['', [{ Ref: attachment }, ':username::']] } },
    { Name: 'FANOUT_STORE_PASSWORD', ValueFrom: { 'Fn::Join': ['', [{ Ref: attachment }, ':password::']] } },
  ]);
});

/** Secrets reach the container as ECS secrets only: no environment variable names or resolves one. */
function assertNoSecretInEnvironment(t: Template): void {
  const c = container(t);
  const secretIds = [...Object.keys(t.findResources('AWS::SecretsManager::Secret')),
    ...Object.keys(t.findResources('AWS::SecretsManager::SecretTargetAttachment'))];
  for (const e of c.Environment as { Name: string; Value: unknown }[]) {
    assert.doesNotMatch(e.Name, /PASSWORD|USERNAME|API_KEY/, `${e.Name} belongs in Secrets`);
    const value = JSON.stringify(e.Value);
    assert.doesNotMatch(value, /resolve:secretsmanager/, `${e.Name} resolves a secret into the task definition`);
    for (const id of secretIds) {
      assert.ok(!value.includes(id), `${e.Name} refers to ${id}`);
    }
  }
}

test('no password or secret value in the container\'s environment', () => {
  assertNoSecretInEnvironment(synth());
});

test('two service tasks by default, deploys never go below them, a stop leaves time for the shutdown', () => {
  const t = synth();
  t.hasParameter('ServiceTasks', { Type: 'Number', Default: 2, MinValue: 1 });
  t.hasResourceProperties('AWS::ECS::Service', {
    DesiredCount: { Ref: 'ServiceTasks' },
    DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 100, MaximumPercent: 200 }),
  });
  const stop = container(t).StopTimeout;
  assert.ok(SERVICE_SHUTDOWN_SECONDS >= 30, 'fanout.shutdown.grace-period (30s) and more');
  assert.ok(stop > SERVICE_SHUTDOWN_SECONDS, `stop timeout ${stop} s, the shutdown ${SERVICE_SHUTDOWN_SECONDS} s`);
  assert.ok(stop <= 120, 'Fargate allows at most 120 s');
  // draining (before SIGTERM) lets an open ?wait= end
  t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
    TargetGroupAttributes: Match.arrayWith([
      { Key: 'deregistration_delay.timeout_seconds', Value: String(API_MAX_WAIT_SECONDS) },
    ]),
  });
});

test('the load balancer keeps quiet connections longer than the longest ?wait=', () => {
  const t = synth();
  t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
    LoadBalancerAttributes: Match.arrayWith([
      { Key: 'idle_timeout.timeout_seconds', Value: String(LOAD_BALANCER_IDLE_SECONDS) },
    ]),
  });
  assert.ok(LOAD_BALANCER_IDLE_SECONDS > 300, 'above fanout.api.max-wait (5m)');
});

/** The load balancer's listeners, by port. */
function listeners(t: Template): Map<number, Record<string, any>> {
  return new Map((Object.values(t.findResources('AWS::ElasticLoadBalancingV2::Listener')) as Resource[])
    .map((l) => [l.Properties.Port, l.Properties]));
}

/** The ingress rules of the service tasks' security group, as [port, source group, CIDR]. */
function serviceIngress(t: Template): [number, string | undefined, string | undefined][] {
  const [, service] = only(t, 'AWS::ECS::Service');
  const [group] = service.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups;
  const declared = t.findResources('AWS::EC2::SecurityGroup')[group['Fn::GetAtt'][0]] as Resource;
  assert.equal(declared.Properties.SecurityGroupIngress, undefined, 'no inline ingress on the service');
  return (Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')) as Resource[])
    .filter((r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify(group))
    .map((r) => {
      assert.equal(r.Properties.FromPort, r.Properties.ToPort, 'one port per rule');
      return [r.Properties.FromPort, r.Properties.SourceSecurityGroupId?.['Fn::GetAtt']?.[0], r.Properties.CidrIp];
    });
}

const loadBalancerGroup = (t: Template) => only(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[1]
  .Properties.SecurityGroups[0]['Fn::GetAtt'][0];

test('health is checked on the management port, which no listener forwards to and only the load balancer reaches', () => {
  const t = synth();
  assert.equal(SERVICE_PORT, 8080);
  assert.equal(MANAGEMENT_PORT, 9000, 'quarkus.management.port\'s default, as the service is configured');
  // the API's port first: the load balancer's target is the container's first port
  assert.deepEqual(container(t).PortMappings, [
    { ContainerPort: SERVICE_PORT, Protocol: 'tcp' }, { ContainerPort: MANAGEMENT_PORT, Protocol: 'tcp' },
  ]);
  t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
    HealthCheckPath: '/q/health/ready', HealthCheckPort: String(MANAGEMENT_PORT), Matcher: { HttpCode: '200' },
  });
  // requests go to the API port only: the one target of the one listener
  const [, service] = only(t, 'AWS::ECS::Service');
  assert.deepEqual(service.Properties.LoadBalancers.map((l: { ContainerPort: number }) => l.ContainerPort),
    [SERVICE_PORT]);
  assert.deepEqual([...listeners(t).keys()], [80]);
  // the tasks take the API and the health checks from the load balancer, and nothing from anywhere else
  const lb = loadBalancerGroup(t);
  assert.deepEqual(serviceIngress(t).sort(), [[SERVICE_PORT, lb, undefined], [MANAGEMENT_PORT, lb, undefined]]);
});

test('without certificateArn the load balancer serves plain HTTP on 80', () => {
  const t = synth();
  const http = listeners(t).get(80)!;
  assert.equal(http.Protocol, 'HTTP');
  assert.equal(http.DefaultActions[0].Type, 'forward');
  assert.equal(http.Certificates, undefined);
  assert.deepEqual(t.findOutputs('ServiceUrl').ServiceUrl.Value['Fn::Join'][1][0], 'http://');
});

test('certificateArn: HTTPS on 443 with that certificate, plain HTTP on 80 redirects to it', () => {
  const arn = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
  const t = synth('java21', { certificateArn: arn });
  const all = listeners(t);
  assert.deepEqual([...all.keys()].sort(), [443, 80]);
  const https = all.get(443)!;
  assert.equal(https.Protocol, 'HTTPS');
  assert.deepEqual(https.Certificates, [{ CertificateArn: arn }]);
  assert.match(https.SslPolicy, /TLS13/);
  assert.equal(https.DefaultActions[0].Type, 'forward');
  assert.deepEqual(all.get(80)!.DefaultActions, [
    { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
  ]);
  const lbGroup = t.findResources('AWS::EC2::SecurityGroup')[loadBalancerGroup(t)] as Resource;
  assert.deepEqual(lbGroup.Properties.SecurityGroupIngress.map((r: { FromPort: number }) => r.FromPort).sort(),
    [443, 80]);
  assert.deepEqual(t.findOutputs('ServiceUrl').ServiceUrl.Value['Fn::Join'][1][0], 'https://');
  // the health checks stay on the management port, behind the load balancer
  t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
    HealthCheckPath: '/q/health/ready', HealthCheckPort: String(MANAGEMENT_PORT),
  });
  const lb = loadBalancerGroup(t);
  assert.deepEqual(serviceIngress(t).sort(), [[SERVICE_PORT, lb, undefined], [MANAGEMENT_PORT, lb, undefined]]);
});

test('certificateArn: anything but an ACM certificate\'s ARN fails the synth, naming the context key', () => {
  for (const bad of ['', 'my-cert', 'arn:aws:iam::123456789012:server-certificate/x',
    'arn:aws:acm:eu-west-1:123456789012:certificate/']) {
    assert.throws(() => synth('java21', { certificateArn: bad }), /context certificateArn/);
  }
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
  t.hasOutput('DatabaseEndpoint', {});
  t.hasOutput('DatabaseSecretArn', {});
});

test('without functionsPath or invokableFunctionArns the worker has no layer and nothing more is allowed', () => {
  const t = synth();
  const worker = t.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('fanout worker') } });
  assert.equal(Object.values(worker)[0].Properties.Layers, undefined);
  t.resourceCountIs('AWS::Lambda::LayerVersion', 0);
  const env: { Name: string }[] = container(t).Environment;
  assert.ok(!env.some((e) => e.Name === 'FANOUT_FUNCTIONS_PATH' || e.Name === 'FANOUT_INVOKE_ALLOWED_FUNCTIONS'));
});

test('functionsPath ships the jars as a layer of the worker and beside the service, both told where', () => {
  const dir = functionsDir();
  const t = synth('java21', { functionsPath: dir });
  const [layer] = only(t, 'AWS::Lambda::LayerVersion');
  t.hasResourceProperties('AWS::Lambda::LayerVersion', {
    CompatibleRuntimes: ['java21'], Description: 'fanout functions: my-functions-1.0.jar',
  });
  t.hasResourceProperties('AWS::Lambda::Function', {
    Description: Match.stringLikeRegexp('fanout worker'),
    Layers: [{ Ref: layer }],
    Environment: { Variables: Match.objectLike({ FANOUT_FUNCTIONS_PATH: WORKER_FUNCTIONS_DIR }) },
  });
  // the layer's zip unpacks under /opt: the jar must sit at WORKER_FUNCTIONS_DIR, out of /opt/java/lib
  const staged = path.join(repoRoot, 'target', 'cdk-functions-layer', 'fanout', 'functions', 'my-functions-1.0.jar');
  assert.ok(fs.existsSync(staged), staged);
  assert.equal(WORKER_FUNCTIONS_DIR, '/opt/fanout/functions');
  const inImage = path.join(repoRoot, 'target', 'quarkus-app', 'app', 'functions', 'my-functions-1.0.jar');
  assert.ok(fs.existsSync(inImage));
  synth();
  assert.ok(!fs.existsSync(inImage), 'a synth without functionsPath leaves no jar for the image');
  assert.ok(container(t).Environment.some((e: { Name: string; Value: string }) =>
    e.Name === 'FANOUT_FUNCTIONS_PATH' && e.Value === SERVICE_FUNCTIONS_DIR));
});

test('functionsPath is refused with a native worker or service, and when a jar is missing', () => {
  const dir = functionsDir();
  assert.throws(() => synth('provided.al2023', { functionsPath: dir }), /build them in instead/);
  assert.throws(() => synth('java21', { functionsPath: dir, serviceVariant: 'native' }), /native binary cannot load/);
  assert.throws(() => synth('java21', { functionsPath: path.join(dir, 'nope.jar') }), /nope.jar does not exist/);
  fs.rmSync(path.join(dir, 'my-functions-1.0.jar'));
  assert.throws(() => synth('java21', { functionsPath: dir }), /holds no .jar file/);
});

test('invokableFunctionArns: the service may invoke exactly those and allows exactly those', () => {
  const arns = ['arn:aws:lambda:eu-west-1:123456789012:function:order-check',
    'arn:aws:lambda:eu-west-1:123456789012:function:resize-*'];
  const t = synth('java21', { invokableFunctionArns: arns });
  const invokes = statements(t).filter((s) => actions(s).includes('lambda:InvokeFunction'));
  assert.equal(invokes.length, 2, 'the worker grant and this one');
  const extra = invokes.find((s) => JSON.stringify(s.Resource).includes('order-check'))!;
  assert.deepEqual(extra.Resource, arns.flatMap((a) => [a, `${a}:*`]), 'the functions, their versions and aliases');
  assert.deepEqual(actions(extra), ['lambda:InvokeFunction']);
  assert.ok(container(t).Environment.some((e: { Name: string; Value: string }) =>
    e.Name === 'FANOUT_INVOKE_ALLOWED_FUNCTIONS' && e.Value === arns.join(',')));
  assert.throws(() => synth('java21', { invokableFunctionArns: ['order-check'] }), /is not the ARN of a Lambda function/);
  assert.throws(() => synth('java21', { invokableFunctionArns: ['arn:aws:s3:::bucket'] }), /not the ARN/);
  // the service's allowlist refuses a qualified pattern at start: refused here, before a deploy that could not start
  assert.throws(() => synth('java21', { invokableFunctionArns: [`${arns[0]}:prod`] }), /no qualifier/);
});

test('without apiKeyNames the one key secret says how the service names its keys, and how to rotate one', () => {
  const t = synth();
  const [, secret] = only(t, 'AWS::SecretsManager::Secret', { Description: Match.stringLikeRegexp('fanout API keys') });
  assert.match(secret.Properties.Description, /comma-separated/);
  assert.match(secret.Properties.Description, /api-keys\[0\], api-keys\[1\]/);
  assert.match(secret.Properties.Description, /submitter/);
  assert.match(secret.Properties.Description, /apiKeyNames/);
  assert.ok(secret.Properties.Description.length <= 2048, 'Secrets Manager takes 2048 characters at most');
  assert.ok(!container(t).Environment.some((e: { Name: string }) => e.Name.startsWith('FANOUT_AUTH_')));
});

const NAMED = ['alice', 'ops:admin', 'bob2:submitter'];

/** The generated secret of a named key. */
const namedKey = (t: Template, name: string) => only(t, 'AWS::SecretsManager::Secret', {
  Description: Match.stringLikeRegexp(`^fanout API key of ${name} `),
});

test('apiKeyNames: a generated secret per name, an ECS secret FANOUT_AUTH_KEYS_<NAME>_KEY each, no legacy list', () => {
  const t = synth('java21', { apiKeyNames: NAMED });
  const legacy = Object.values(synth().findResources('AWS::SecretsManager::Secret', {
    Properties: { Description: Match.stringLikeRegexp('fanout API keys') },
  })) as Resource[];
  assert.equal(legacy.length, 1);
  const ids: Record<string, string> = {};
  for (const [name, role] of [['alice', 'submitter'], ['ops', 'admin'], ['bob2', 'submitter']]) {
    const [id, secret] = namedKey(t, name);
    ids[name] = id;
    assert.match(secret.Properties.Description, new RegExp(`^fanout API key of ${name} \\(${role}\\)`));
    assert.match(secret.Properties.Description, /new,old/);
    assert.deepEqual(secret.Properties.GenerateSecretString, legacy[0].Properties.GenerateSecretString,
      'generated as the legacy key is');
  }
  // the named keys and the database's: nothing else, and no legacy secret
  const { secret: database } = databaseSecret(t);
  assert.deepEqual(Object.keys(t.findResources('AWS::SecretsManager::Secret')).sort(),
    [...Object.values(ids), database].sort());
  const c = container(t);
  assert.deepEqual(c.Secrets.filter((e: { Name: string }) => e.Name.startsWith('FANOUT_AUTH_')), [
    { Name: 'FANOUT_AUTH_KEYS_ALICE_KEY', ValueFrom: { Ref: ids.alice } },
    { Name: 'FANOUT_AUTH_KEYS_OPS_KEY', ValueFrom: { Ref: ids.ops } },
    { Name: 'FANOUT_AUTH_KEYS_BOB2_KEY', ValueFrom: { Ref: ids.bob2 } },
  ]);
  assert.ok(!c.Secrets.some((e: { Name: string }) => e.Name === 'FANOUT_AUTH_API_KEYS'));
  assert.ok(!c.Environment.some((e: { Name: string }) => e.Name === 'FANOUT_AUTH_API_KEYS'));
});

test('apiKeyNames: only the execution role reads secrets, and only the named keys and the database credentials', () => {
  const t = synth('java21', { apiKeyNames: NAMED });
  const { attachment } = databaseSecret(t);
  const secretStatements = statements(t).filter((s) => actions(s).some((a) => a.startsWith('secretsmanager:')));
  const resources = secretStatements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
  assert.deepEqual(new Set(resources.map((r) => JSON.stringify(r))), new Set([
    ...['alice', 'ops', 'bob2'].map((n) => JSON.stringify({ Ref: namedKey(t, n)[0] })), JSON.stringify({ Ref: attachment }),
  ]));
  for (const s of secretStatements) {
    assert.deepEqual(actions(s).sort(), ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
  }
  const [, taskDef] = only(t, 'AWS::ECS::TaskDefinition');
  const executionRole = taskDef.Properties.ExecutionRoleArn['Fn::GetAtt'][0];
  for (const p of Object.values(t.findResources('AWS::IAM::Policy')) as Resource[]) {
    if ((p.Properties.PolicyDocument.Statement as Statement[])
      .some((s) => actions(s).some((a) => a.startsWith('secretsmanager:')))) {
      assert.deepEqual(p.Properties.Roles, [{ Ref: executionRole }], 'secrets are read by the execution role only');
    }
  }
});

test('apiKeyNames: an admin\'s role is in the environment, a submitter\'s is the service\'s default; no key value there', () => {
  const t = synth('java21', { apiKeyNames: NAMED });
  const auth = (container(t).Environment as { Name: string; Value: unknown }[])
    .filter((e) => e.Name.startsWith('FANOUT_AUTH_'));
  assert.deepEqual(auth, [{ Name: 'FANOUT_AUTH_KEYS_OPS_ROLE', Value: 'admin' }]);
  assertNoSecretInEnvironment(t);
});

test('apiKeyNames: an output per name with the command that reads the key; no ApiKeySecretArn', () => {
  const t = synth('java21', { apiKeyNames: NAMED });
  const outputs = t.findOutputs('*');
  assert.equal(outputs.ApiKeySecretArn, undefined);
  const legacy = synth().findOutputs('ApiKeySecretArn').ApiKeySecretArn;
  for (const [name, output] of [['alice', 'ApiKeyAliceSecretArn'], ['ops', 'ApiKeyOpsSecretArn'],
    ['bob2', 'ApiKeyBob2SecretArn']]) {
    assert.deepEqual(outputs[output], { Value: { Ref: namedKey(t, name)[0] }, Description: legacy.Description });
  }
  assert.deepEqual(Object.keys(outputs).filter((o) => o.startsWith('ApiKey')).sort(),
    ['ApiKeyAliceSecretArn', 'ApiKeyBob2SecretArn', 'ApiKeyOpsSecretArn']);
});

test('apiKeyNames: a bad name or role fails the synth, naming the context key', () => {
  const bad = (apiKeyNames: string[], message: RegExp) => assert.throws(() => synth('java21', { apiKeyNames }),
    (e: Error) => /^context apiKeyNames: /.test(e.message) && message.test(e.message), JSON.stringify(apiKeyNames));
  bad(['Alice'], /'Alice' is not a key name: 1 to 32 lower-case letters and digits/);
  bad(['team-a'], /'team-a' is not a key name/);
  bad(['team.a'], /'team.a' is not a key name/);
  bad(['team_a'], /'team_a' is not a key name/);
  bad(['a'.repeat(33)], /is not a key name: 1 to 32/);
  bad([':admin'], /'' is not a key name/);
  bad(['anonymous'], /'anonymous' is the name the service gives/);
  bad(['alice', 'ops:admin', 'alice:admin'], /'alice' is given twice/);
  bad(['ops:root'], /the role of 'ops' is 'root': expected submitter or admin/);
  bad(['ops:Admin'], /expected submitter or admin/);
  bad(['ops:'], /the role of 'ops' is ''/);
  bad(['ops:admin:x'], /'ops:admin:x' is not name or name:role/);
  bad([], /no name given/);
  // the longest name, and digits alone, are names
  const t = synth('java21', { apiKeyNames: ['a'.repeat(32), '42:admin'] });
  assert.ok(container(t).Secrets.some((e: { Name: string }) => e.Name === `FANOUT_AUTH_KEYS_${'A'.repeat(32)}_KEY`));
  assert.ok(container(t).Environment.some((e: { Name: string }) => e.Name === 'FANOUT_AUTH_KEYS_42_ROLE'));
});
