import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Annotations, CfnOutput, CfnParameter, Duration, IgnoreMode, RemovalPolicy, Stack, StackProps,
} from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** java21: function.zip of `./mvnw package -Dlambda` (SnapStart on); provided.al2023: the native worker zip. */
export type WorkerRuntime = 'java21' | 'provided.al2023';
/** Which image of src/main/docker runs the service. */
export type ServiceVariant = 'jvm' | 'native';

export interface FanoutStackProps extends StackProps {
  /** The repository's root: the worker zips and the Docker build context are found from it. */
  readonly repoRoot: string;
  readonly workerRuntime: WorkerRuntime;
  /**
   * The worker's zip; default target/lambda/function.zip (java21, `./mvnw package -Dlambda`) or
   * target/lambda-native/function.zip (provided.al2023, `-Dlambda -Dnative`: the executable as its bootstrap).
   */
  readonly workerZip?: string;
  readonly serviceVariant: ServiceVariant;
  /** An image already pushed somewhere; default: built from src/main/docker/Dockerfile.<variant> at deploy. */
  readonly serviceImage?: string;
  /**
   * The users' function jars, as fanout.functions.path takes them (comma-separated jars or directories of jars): a
   * layer of the worker, and beside the service in its image. JVM service and java21 worker only: a native binary
   * takes them at build time.
   */
  readonly functionsPath?: string;
  /**
   * ARNs (IAM resource patterns allowed) of existing Lambda functions that `invoke` tasks may call: the service is
   * granted lambda:InvokeFunction on exactly these, and fanout.invoke.allowed-functions lists the same.
   */
  readonly invokableFunctionArns?: string[];
  /**
   * Named API keys, each `name` or `name:role` (role `submitter`, the default, or `admin`): a generated secret per name,
   * handed to the service as fanout.auth.keys.<name>.key. Names are 1 to 32 lower-case letters and digits (they travel
   * in environment names, which carry no '-' or '.'). Given, the legacy ApiKeys secret is not made. See apiKeyNames().
   */
  readonly apiKeyNames?: string[];
  /**
   * An ACM certificate (in the stack's region) for the name clients use: the load balancer then listens with HTTPS
   * on 443 and answers plain HTTP on 80 with a redirect to it. Without it, plain HTTP on 80.
   */
  readonly certificateArn?: string;
}

/** Where the java21 worker finds the layer's jars: kept out of /opt/java/lib so they load in their own class loader. */
export const WORKER_FUNCTIONS_DIR = '/opt/fanout/functions';
/** Where the service's image holds them (under target/quarkus-app/app/, which Dockerfile.jvm copies whole). */
export const SERVICE_FUNCTIONS_DIR = '/deployments/app/functions';

/** The jars of a functionsPath, as the service reads fanout.functions.path: files, or each directory's *.jar. */
export function functionJars(functionsPath: string): string[] {
  const jars: string[] = [];
  for (const entry of functionsPath.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const p = path.resolve(entry);
    if (fs.existsSync(p) && fs.statSync(p).isDirectory()) {
      const found = fs.readdirSync(p).filter((f) => f.endsWith('.jar')).sort().map((f) => path.join(p, f));
      if (found.length === 0) {
        throw new Error(`context functionsPath: the directory ${p} holds no .jar file`);
      }
      jars.push(...found);
    } else if (fs.existsSync(p)) {
      jars.push(p);
    } else {
      throw new Error(`context functionsPath: ${p} does not exist (give jar files or directories of jars, comma-separated)`);
    }
  }
  const names = jars.map((j) => path.basename(j));
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) {
    throw new Error(`context functionsPath: two jars are named ${twice}; rename one`);
  }
  return jars;
}

/** Copies the jars into a fresh directory. */
function stage(jars: string[], dir: string): string {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const jar of jars) {
    fs.copyFileSync(jar, path.join(dir, path.basename(jar)));
  }
  return dir;
}

/**
 * The ARN of a Lambda function (or an IAM pattern of some) without a qualifier: fanout.invoke.allowed-functions names
 * functions, and every version and alias of an allowed one is allowed (the grant covers them, ARN:*).
 */
const FUNCTION_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-*]+:(\d{12}|\*):function:[a-zA-Z0-9-_*]+$/;

/** A named API key of the stack: its name (the owner of the batches it creates) and its role. */
export interface ApiKeyName {
  readonly name: string;
  readonly role: 'submitter' | 'admin';
}

/** What an API key's name may be: the environment names FANOUT_AUTH_KEYS_<NAME>_* carry letters and digits only. */
const API_KEY_NAME = /^[a-z0-9]{1,32}$/;

/** The entries of apiKeyNames (`name` or `name:role`), checked: a bad one throws naming the context key. */
export function apiKeyNames(entries: string[]): ApiKeyName[] {
  const at = 'context apiKeyNames';
  if (entries.length === 0) {
    throw new Error(`${at}: no name given (give name or name:admin, comma-separated; leave apiKeyNames out for the `
      + 'one generated legacy key)');
  }
  const keys: ApiKeyName[] = [];
  for (const entry of entries) {
    const parts = entry.split(':').map((p) => p.trim());
    if (parts.length > 2) {
      throw new Error(`${at}: '${entry}' is not name or name:role`);
    }
    const [name, role = 'submitter'] = parts;
    if (!API_KEY_NAME.test(name)) {
      throw new Error(`${at}: '${name}' is not a key name: 1 to 32 lower-case letters and digits (the service reads `
        + 'it from environment names such as FANOUT_AUTH_KEYS_<NAME>_KEY, which carry no \'-\' or \'.\')');
    }
    if (name === 'anonymous') {
      throw new Error(`${at}: 'anonymous' is the name the service gives callers when authentication is off; `
        + 'choose another');
    }
    if (role !== 'submitter' && role !== 'admin') {
      throw new Error(`${at}: the role of '${name}' is '${role}': expected submitter or admin`);
    }
    if (keys.some((k) => k.name === name)) {
      throw new Error(`${at}: '${name}' is given twice`);
    }
    keys.push({ name, role });
  }
  return keys;
}

/** Whether target/ holds what src/main/docker/Dockerfile.<variant> copies. */
function serviceBuilt(props: FanoutStackProps): boolean {
  const target = path.join(props.repoRoot, 'target');
  if (props.serviceVariant === 'jvm') {
    return fs.existsSync(path.join(target, 'quarkus-app', 'quarkus-run.jar'));
  }
  return fs.existsSync(target) && fs.readdirSync(target).some((f) => f.endsWith('-runner'));
}

/** How long the load balancer keeps a quiet connection: above fanout.api.max-wait (5m), for ?wait= and result streams. */
export const LOAD_BALANCER_IDLE_SECONDS = 600;

/** fanout.api.max-wait (5m): the longest a `?wait=` request stays open. */
export const API_MAX_WAIT_SECONDS = 300;

/**
 * How long a stopping service takes after SIGTERM at most: fanout.shutdown.grace-period (30 s) for its batches, then
 * quarkus.shutdown.timeout (10 s) for open requests.
 */
export const SERVICE_SHUTDOWN_SECONDS = 30 + 10;

/**
 * How long ECS waits after SIGTERM before SIGKILL (Fargate allows up to 120 s): the shutdown above plus a margin for
 * the JVM and the worker processes to exit, so a deploy never kills a task in the middle of handing its batches over.
 */
export const SERVICE_STOP_TIMEOUT_SECONDS = 60;

/** The service's API port (quarkus.http.port): the one the load balancer forwards to. */
export const SERVICE_PORT = 8080;

/**
 * The service's management interface (quarkus.management.port): /q/health, /q/metrics (which names every API key and
 * what each one calls), /q/openapi. Only the load balancer's health checks reach it; no listener forwards to it.
 */
export const MANAGEMENT_PORT = 9000;

/** An ACM certificate's ARN. */
const CERTIFICATE_ARN = /^arn:aws[a-zA-Z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[a-zA-Z0-9-]+$/;

/** The database the service's store uses, in the cluster the stack creates, and its port. */
export const DATABASE_NAME = 'fanout';
export const DATABASE_PORT = 5432;

/**
 * fanout on AWS: the Lambda worker (its memory, timeout and reserved concurrency are stack parameters), the service on
 * ECS Fargate behind an application load balancer (two tasks by default, a stack parameter), allowed to invoke exactly
 * that function and those of invokableFunctionArns and nothing else, the users' function jars (functionsPath) as a
 * layer of the worker and beside the service, the PostgreSQL database its tasks share batches through, reachable from
 * them only, and log groups with a retention.
 */
export class FanoutStack extends Stack {
  constructor(scope: Construct, id: string, props: FanoutStackProps) {
    super(scope, id, props);
    if (props.workerRuntime !== 'java21' && props.workerRuntime !== 'provided.al2023') {
      throw new Error(`context workerRuntime must be java21 or provided.al2023, not ${props.workerRuntime}`);
    }
    if (props.serviceVariant !== 'jvm' && props.serviceVariant !== 'native') {
      throw new Error(`context serviceVariant must be jvm or native, not ${props.serviceVariant}`);
    }
    const jars = props.functionsPath ? functionJars(props.functionsPath) : [];
    if (jars.length > 0 && (props.workerRuntime !== 'java21' || props.serviceVariant !== 'jvm')) {
      throw new Error('context functionsPath needs the JVM service and the java21 worker: a native binary cannot load '
        + 'jars; build them in instead (./mvnw package -Dnative -Dfanout.functions.path=...)');
    }
    if (props.apiKeyNames !== undefined) {
      apiKeyNames(props.apiKeyNames); // checked before anything is built
    }
    if (props.certificateArn !== undefined && !CERTIFICATE_ARN.test(props.certificateArn)) {
      throw new Error(`context certificateArn: ${props.certificateArn} is not the ARN of an ACM certificate `
        + '(arn:aws:acm:<region>:<account>:certificate/<id>, in the stack\'s region)');
    }
    for (const arn of props.invokableFunctionArns ?? []) {
      if (!FUNCTION_ARN.test(arn)) {
        throw new Error(`context invokableFunctionArns: ${arn} is not the ARN of a Lambda function `
          + '(arn:aws:lambda:<region>:<account>:function:<name>, no qualifier: its versions and aliases are allowed with it)');
      }
    }

    const memory = new CfnParameter(this, 'WorkerMemoryMb', {
      type: 'Number', default: 2048, minValue: 128, maxValue: 10240,
      description: 'Memory of the Lambda worker, in MB (vCPUs grow with it: 1769 MB is one vCPU)',
    });
    const timeout = new CfnParameter(this, 'WorkerTimeoutSeconds', {
      type: 'Number', default: 300, minValue: 10, maxValue: 900,
      description: 'Timeout of one Lambda worker invocation (one chunk of tasks), in seconds',
    });
    const reserved = new CfnParameter(this, 'WorkerReservedConcurrency', {
      type: 'Number', default: 50, minValue: 1, maxValue: 10000,
      description: 'Reserved concurrency of the worker; the service invokes at most this many at once',
    });

    // several tasks share the batches through the PostgreSQL store (leases, LISTEN/NOTIFY): two by default, so that a
    // deploy or a lost task leaves one answering
    const tasks = new CfnParameter(this, 'ServiceTasks', {
      type: 'Number', default: 2, minValue: 1, maxValue: 20,
      description: 'How many service tasks run behind the load balancer (they share batches through the database)',
    });

    const worker = this.worker(props, memory, timeout, reserved, jars);
    const live = worker.addAlias('live'); // SnapStart snapshots published versions: the service calls the alias
    Annotations.of(worker).acknowledgeWarning('@aws-cdk/aws-lambda:snapStartRequirePublish',
      'the live alias publishes a version, and the service invokes that alias');

    // one VPC for the service and its database: the service's tasks and the database sit in its private subnets
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const serviceSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc,
      description: 'fanout service tasks',
    });
    const database = this.database(vpc, serviceSecurityGroup);
    this.service(props, vpc, serviceSecurityGroup, database, worker, live, timeout, reserved, tasks, jars);
  }

  /**
   * Aurora PostgreSQL Serverless v2 rather than an RDS instance: its storage keeps six copies across three zones
   * whatever the instance does, and its capacity follows the bursts of batch traffic without an instance class to
   * size; at rest it costs its minimum capacity. One writer and no reader: should the writer fail, Aurora replaces it
   * (minutes without the store, no data lost); a serverless v2 reader would make that a failover of about 30 s at
   * twice the compute cost.
   */
  private database(vpc: ec2.IVpc, serviceSecurityGroup: ec2.ISecurityGroup): rds.DatabaseCluster {
    // no outbound rules and no inbound rule but the one from the service below: nothing else reaches the database
    const securityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc,
      description: 'fanout database: PostgreSQL from the fanout service tasks only',
      allowAllOutbound: false,
    });
    const cluster = new rds.DatabaseCluster(this, 'Database', {
      // PostgreSQL 15, the major version the store's tests run against (Debian 12's); the newest 15.x this
      // aws-cdk-lib knows
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_15_17 }),
      writer: rds.ClusterInstance.serverlessV2('Writer', { publiclyAccessible: false }),
      // 0.5 ACU: never paused (the service holds a LISTEN connection and renews leases, and a resume takes seconds);
      // 8 ACU (16 GiB) as a ceiling on what a runaway batch can cost
      serverlessV2MinCapacity: 0.5,
      serverlessV2MaxCapacity: 8,
      // the service's store username and password: generated, kept in Secrets Manager, never in the template
      credentials: rds.Credentials.fromGeneratedSecret('fanout'),
      defaultDatabaseName: DATABASE_NAME,
      port: DATABASE_PORT,
      vpc,
      // the VPC's private subnets (with a NAT route out; the database makes no outbound connections, and its
      // security group allows none); an isolated subnet group would re-carve the VPC's existing subnets
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup],
      storageEncrypted: true,
      // clients without TLS are refused; the JDBC driver's default (sslmode=prefer) negotiates it
      parameters: { 'rds.force_ssl': '1' },
      backup: { retention: Duration.days(7) },
      // the store holds the batches: deleting the stack, or a change that replaces the cluster, must not lose them.
      // Deletion protection makes CloudFormation refuse to delete it (turn it off first: aws rds modify-db-cluster
      // --no-deletion-protection); a deletion then leaves a final snapshot
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    // the port as a literal rather than the cluster's endpoint attribute: the rule reads as what it allows
    securityGroup.addIngressRule(serviceSecurityGroup, ec2.Port.tcp(DATABASE_PORT),
      'PostgreSQL from the fanout service tasks');
    return cluster;
  }

  private worker(props: FanoutStackProps, memory: CfnParameter, timeout: CfnParameter,
                 reserved: CfnParameter, jars: string[]): lambda.Function {
    const jvm = props.workerRuntime === 'java21';
    const logGroup = new logs.LogGroup(this, 'WorkerLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // no AWSLambdaBasicExecutionRole (logs:* on *): the worker may write to its own log group, nothing else
    const role = new iam.Role(this, 'WorkerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'fanout Lambda worker: writes its own logs, nothing else',
    });
    logGroup.grantWrite(role);

    return new lambda.Function(this, 'Worker', {
      description: `fanout worker (${props.workerRuntime}): runs one chunk of tasks per invocation`,
      runtime: jvm ? lambda.Runtime.JAVA_21 : lambda.Runtime.PROVIDED_AL2023,
      handler: jvm ? 'io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest' : 'bootstrap',
      code: this.workerCode(props),
      architecture: lambda.Architecture.X86_64,
      memorySize: memory.valueAsNumber,
      timeout: Duration.seconds(timeout.valueAsNumber),
      reservedConcurrentExecutions: reserved.valueAsNumber,
      role,
      logGroup,
      snapStart: jvm ? lambda.SnapStartConf.ON_PUBLISHED_VERSIONS : undefined,
      environment: jvm
        // the managed Java runtime stops the JIT at C1 by default; CPU-bound tasks want C2
        ? {
          JAVA_TOOL_OPTIONS: '-XX:+TieredCompilation -XX:TieredStopAtLevel=4',
          ...(jars.length > 0 ? { FANOUT_FUNCTIONS_PATH: WORKER_FUNCTIONS_DIR } : {}),
        }
        : {},
      layers: jars.length > 0 ? [this.functionsLayer(props, jars)] : undefined,
    });
  }

  /**
   * The users' function jars as a layer: unpacked under /opt, so at WORKER_FUNCTIONS_DIR. Not under java/lib, which
   * the java21 runtime puts on the worker's own classpath: the worker loads them in a class loader of their own, as
   * the service and its worker processes do, so a function behaves the same wherever it runs.
   */
  private functionsLayer(props: FanoutStackProps, jars: string[]): lambda.LayerVersion {
    const root = path.join(props.repoRoot, 'target', 'cdk-functions-layer');
    stage(jars, path.join(root, ...WORKER_FUNCTIONS_DIR.split('/').slice(2)));
    return new lambda.LayerVersion(this, 'Functions', {
      description: `fanout functions: ${jars.map((j) => path.basename(j)).join(', ')}`.slice(0, 256),
      code: lambda.Code.fromAsset(root),
      compatibleRuntimes: [lambda.Runtime.JAVA_21],
    });
  }

  private workerCode(props: FanoutStackProps): lambda.Code {
    const zip = props.workerZip
      ? path.resolve(props.workerZip)
      : path.join(props.repoRoot, 'target', props.workerRuntime === 'java21' ? 'lambda' : 'lambda-native',
        'function.zip');
    if (fs.existsSync(zip)) {
      return lambda.Code.fromAsset(zip);
    }
    // synth works from a fresh clone; a deployment of this stand-in is refused by `cdk deploy --strict`
    Annotations.of(this).addWarningV2('fanout:worker-not-built', `${zip} does not exist: build the worker `
      + 'before deploying (see the README\'s Deploy section); the template holds a stand-in');
    return lambda.Code.fromAsset(path.join(__dirname, '..', 'assets', 'worker-not-built'));
  }

  private service(props: FanoutStackProps, vpc: ec2.IVpc, securityGroup: ec2.ISecurityGroup,
                  database: rds.DatabaseCluster, worker: lambda.Function, live: lambda.Alias, timeout: CfnParameter,
                  reserved: CfnParameter, tasks: CfnParameter, jars: string[]): void {
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc });
    const logGroup = new logs.LogGroup(this, 'ServiceLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const taskRole = new iam.Role(this, 'ServiceTaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'fanout service: may invoke the fanout worker function (its versions and aliases)'
        + ((props.invokableFunctionArns ?? []).length > 0 ? ' and the functions of invokableFunctionArns' : '')
        + ', nothing else',
    });
    worker.grantInvoke(taskRole);
    const invokable = props.invokableFunctionArns ?? [];
    if (invokable.length > 0) {
      // `invoke` tasks call users' existing functions: exactly those listed, nothing else
      taskRole.addToPolicy(new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: invokable.flatMap((arn) => [arn, `${arn}:*`]), // and their versions and aliases
      }));
    }
    // always staged, none included: jars of an earlier synth must not stay in the image
    const imageFunctions = path.join(props.repoRoot, 'target', 'quarkus-app', 'app', 'functions');
    fs.rmSync(imageFunctions, { recursive: true, force: true });
    if (jars.length > 0) {
      if (props.serviceImage) {
        Annotations.of(this).addWarningV2('fanout:functions-in-image', 'serviceImage is given: it must hold the '
          + `function jars at ${SERVICE_FUNCTIONS_DIR} (the service validates and runs tasks of those functions too)`);
      } else {
        // beside the application in the image Dockerfile.jvm builds (it copies target/quarkus-app/app/ whole)
        stage(jars, imageFunctions);
      }
    }
    // the API needs a key in production (the service refuses to start without one): generated secrets, handed to the
    // container as ECS secrets (see apiKeys)
    const keySecrets = this.apiKeys(props);
    const databaseSecret = database.secret!; // always there: the credentials are generated

    // the task definition is built here rather than by the pattern, which offers no container stop timeout
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'ServiceTaskDef', {
      cpu: 2048,
      memoryLimitMiB: 4096,
      taskRole,
    });
    taskDefinition.addContainer('web', {
      image: this.serviceImage(props),
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'fanout', logGroup }),
      stopTimeout: Duration.seconds(SERVICE_STOP_TIMEOUT_SECONDS),
      // ECS secrets: the execution role reads them at task start; they never appear in the task definition
      secrets: {
        ...Object.fromEntries(keySecrets.map((k) => [k.variable, ecs.Secret.fromSecretsManager(k.secret)])),
        FANOUT_STORE_USERNAME: ecs.Secret.fromSecretsManager(databaseSecret, 'username'),
        FANOUT_STORE_PASSWORD: ecs.Secret.fromSecretsManager(databaseSecret, 'password'),
      },
      environment: {
        FANOUT_LAMBDA_FUNCTION_NAME: live.functionArn,
        FANOUT_LAMBDA_REGION: this.region,
        // the service sets its HTTP read timeout 30 s above this, so a running invocation is never re-sent
        FANOUT_LAMBDA_FUNCTION_TIMEOUT: `${timeout.valueAsString}s`,
        // per task: the tasks together may ask for more than the reserved concurrency, and each one's adaptive limit
        // backs off on the throttles (CloudFormation cannot divide a parameter by the task count)
        FANOUT_LAMBDA_MAX_CONCURRENCY: reserved.valueAsString,
        FANOUT_BATCH_DEFAULT_CPU_BACKEND: 'lambda',
        // the shared store that lets several tasks serve the same batches (fanout.store.*)
        FANOUT_STORE_KIND: 'postgres',
        FANOUT_STORE_URL: `jdbc:postgresql://${database.clusterEndpoint.socketAddress}/${DATABASE_NAME}`,
        ...(jars.length > 0 ? { FANOUT_FUNCTIONS_PATH: SERVICE_FUNCTIONS_DIR } : {}),
        ...(invokable.length > 0 ? { FANOUT_INVOKE_ALLOWED_FUNCTIONS: invokable.join(',') } : {}),
        // submitter is the service's default role: only admins are said
        ...Object.fromEntries(keySecrets.filter((k) => k.key?.role === 'admin')
          .map((k) => [`FANOUT_AUTH_KEYS_${k.key!.name.toUpperCase()}_ROLE`, 'admin'])),
      },
    }).addPortMappings(
      { containerPort: SERVICE_PORT }, // first: the load balancer forwards to the container's first port
      { containerPort: MANAGEMENT_PORT }, // the health checks'
    );

    const service = new ecsPatterns.ApplicationLoadBalancedFargateService(this, 'Service', {
      cluster,
      taskDefinition,
      securityGroups: [securityGroup],
      desiredCount: tasks.valueAsNumber,
      // a deploy starts the new tasks before it stops old ones: never fewer than the desired count answering
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      publicLoadBalancer: true,
      // with a certificate: HTTPS on 443, and port 80 redirects to it; without, plain HTTP on 80
      ...(props.certificateArn !== undefined ? {
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
        redirectHTTP: true,
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      } : {}),
    });
    // readiness is on the management port, which no listener forwards to: the health checks alone reach it, the
    // only rule that lets anything to it (the pattern's rule lets the load balancer reach the API port)
    service.targetGroup.configureHealthCheck({
      path: '/q/health/ready', port: String(MANAGEMENT_PORT), healthyHttpCodes: '200',
    });
    service.service.connections.allowFrom(service.loadBalancer, ec2.Port.tcp(MANAGEMENT_PORT),
      'health checks of the management interface from the load balancer');
    service.loadBalancer.setAttribute('idle_timeout.timeout_seconds', String(LOAD_BALANCER_IDLE_SECONDS));
    // ECS sends SIGTERM only once the target is drained: until then no new request reaches the task, and a `?wait=`
    // already open still gets its answer (at most fanout.api.max-wait); draining ends as soon as no request is open.
    // The shutdown after SIGTERM then has SERVICE_STOP_TIMEOUT_SECONDS to hand the batches over
    service.targetGroup.setAttribute('deregistration_delay.timeout_seconds', String(API_MAX_WAIT_SECONDS));

    new CfnOutput(this, 'ServiceUrl', {
      value: `${props.certificateArn !== undefined ? 'https' : 'http'}://${service.loadBalancer.loadBalancerDnsName}`,
      description: props.certificateArn !== undefined
        ? 'The fanout API (POST /batches); point the certificate\'s name at this load balancer and use that name'
        : 'The fanout API (POST /batches)',
    });
    new CfnOutput(this, 'WorkerFunctionName', { value: worker.functionName });
    for (const k of keySecrets) {
      new CfnOutput(this, k.output, {
        value: k.secret.secretArn,
        description: 'aws secretsmanager get-secret-value --secret-id <this> --query SecretString --output text',
      });
    }
    new CfnOutput(this, 'WorkerAliasArn', { value: live.functionArn });
    new CfnOutput(this, 'DatabaseEndpoint', { value: database.clusterEndpoint.socketAddress });
    new CfnOutput(this, 'DatabaseSecretArn', {
      value: databaseSecret.secretArn,
      description: 'The store\'s username and password (and host, port, dbname)',
    });
  }

  /**
   * The API keys' secrets: without apiKeyNames one, the legacy list (FANOUT_AUTH_API_KEYS); with it one per name
   * (FANOUT_AUTH_KEYS_<NAME>_KEY). Each with the environment name the container gets it as and its output's id.
   */
  private apiKeys(props: FanoutStackProps): {
    secret: secretsmanager.Secret; variable: string; output: string; key?: ApiKeyName;
  }[] {
    const generate = { passwordLength: 40, excludePunctuation: true };
    if (props.apiKeyNames === undefined) {
      const secret = new secretsmanager.Secret(this, 'ApiKeys', {
        description: 'fanout API keys, comma-separated (send one as Authorization: Bearer <key>). The service names '
          + 'them by position, api-keys[0], api-keys[1]..., each a submitter that owns the batches it creates: adding '
          + 'a key in front renames the others. To rotate a key without changing its owner, use named keys (context '
          + 'apiKeyNames, a secret per name)',
        generateSecretString: generate,
      });
      return [{ secret, variable: 'FANOUT_AUTH_API_KEYS', output: 'ApiKeySecretArn' }];
    }
    // no legacy secret then: every caller has a name (the owner its batches keep through rotations), and a key of
    // the legacy list, named by its position, could not be rotated without its batches changing hands.
    // Rotating a name's key, its name and so the owner of its batches staying: put `new,old` in the name's secret
    // (aws secretsmanager put-secret-value; the service accepts both as that name), force a new deployment (aws ecs
    // update-service --force-new-deployment: ECS reads secrets only when a task starts), move the clients to `new`,
    // then put `new` alone and force a new deployment again. A `cdk deploy` leaves the values as they are: a secret's
    // value is generated when it is created, and again only if its generation settings change (keep them as they are)
    return apiKeyNames(props.apiKeyNames).map((key) => {
      const title = key.name.charAt(0).toUpperCase() + key.name.slice(1);
      const secret = new secretsmanager.Secret(this, `ApiKey${title}`, {
        description: `fanout API key of ${key.name} (${key.role}): send it as Authorization: Bearer <key>. During a `
          + 'rotation it holds new,old (comma-separated), both accepted as this name; a new deployment of the service '
          + 'reads a changed value',
        generateSecretString: generate,
      });
      return {
        secret, variable: `FANOUT_AUTH_KEYS_${key.name.toUpperCase()}_KEY`, output: `ApiKey${title}SecretArn`, key,
      };
    });
  }

  private serviceImage(props: FanoutStackProps): ecs.ContainerImage {
    if (props.serviceImage) {
      return ecs.ContainerImage.fromRegistry(props.serviceImage);
    }
    if (!serviceBuilt(props)) {
      Annotations.of(this).addWarningV2('fanout:service-not-built', `the ${props.serviceVariant} service is not `
        + 'built under target/: build it before deploying (see the README\'s Deploy section)');
    }
    return ecs.ContainerImage.fromAsset(props.repoRoot, {
      file: `src/main/docker/Dockerfile.${props.serviceVariant}`,
      ignoreMode: IgnoreMode.DOCKER,
    });
  }
}
