import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Annotations, CfnOutput, CfnParameter, Duration, IgnoreMode, RemovalPolicy, Stack, StackProps,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
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
  /** The worker's zip; default target/lambda/function.zip (java21) or target/function-native.zip (native). */
  readonly workerZip?: string;
  readonly serviceVariant: ServiceVariant;
  /** An image already pushed somewhere; default: built from src/main/docker/Dockerfile.<variant> at deploy. */
  readonly serviceImage?: string;
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

/**
 * fanout on AWS: the Lambda worker (its memory, timeout and reserved concurrency are stack parameters), the service on
 * ECS Fargate behind an application load balancer, allowed to invoke exactly that function and nothing else, and log
 * groups with a retention.
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

    const worker = this.worker(props, memory, timeout, reserved);
    const live = worker.addAlias('live'); // SnapStart snapshots published versions: the service calls the alias
    Annotations.of(worker).acknowledgeWarning('@aws-cdk/aws-lambda:snapStartRequirePublish',
      'the live alias publishes a version, and the service invokes that alias');
    this.service(props, worker, live, timeout, reserved);
  }

  private worker(props: FanoutStackProps, memory: CfnParameter, timeout: CfnParameter,
                 reserved: CfnParameter): lambda.Function {
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
        ? { JAVA_TOOL_OPTIONS: '-XX:+TieredCompilation -XX:TieredStopAtLevel=4' }
        : {},
    });
  }

  private workerCode(props: FanoutStackProps): lambda.Code {
    const zip = props.workerZip
      ? path.resolve(props.workerZip)
      : path.join(props.repoRoot, 'target', ...(props.workerRuntime === 'java21'
        ? ['lambda', 'function.zip'] : ['function-native.zip']));
    if (fs.existsSync(zip)) {
      return lambda.Code.fromAsset(zip);
    }
    // synth works from a fresh clone; a deployment of this stand-in is refused by `cdk deploy --strict`
    Annotations.of(this).addWarningV2('fanout:worker-not-built', `${zip} does not exist: build the worker `
      + 'before deploying (see the README\'s Deploy section); the template holds a stand-in');
    return lambda.Code.fromAsset(path.join(__dirname, '..', 'assets', 'worker-not-built'));
  }

  private service(props: FanoutStackProps, worker: lambda.Function, live: lambda.Alias, timeout: CfnParameter,
                  reserved: CfnParameter): void {
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc });
    const logGroup = new logs.LogGroup(this, 'ServiceLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const taskRole = new iam.Role(this, 'ServiceTaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'fanout service: may invoke the fanout worker function (its versions and aliases), nothing else',
    });
    worker.grantInvoke(taskRole);
    // the API needs a key in production: one is generated, handed to the container as FANOUT_AUTH_API_KEYS
    const apiKeys = new secretsmanager.Secret(this, 'ApiKeys', {
      description: 'fanout API keys, comma-separated (send one as Authorization: Bearer <key>)',
      generateSecretString: { passwordLength: 40, excludePunctuation: true },
    });

    const service = new ecsPatterns.ApplicationLoadBalancedFargateService(this, 'Service', {
      cluster,
      cpu: 2048,
      memoryLimitMiB: 4096,
      desiredCount: 1,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      publicLoadBalancer: true,
      taskImageOptions: {
        image: this.serviceImage(props),
        containerPort: 8080,
        taskRole,
        logDriver: ecs.LogDrivers.awsLogs({ streamPrefix: 'fanout', logGroup }),
        secrets: { FANOUT_AUTH_API_KEYS: ecs.Secret.fromSecretsManager(apiKeys) },
        environment: {
          FANOUT_LAMBDA_FUNCTION_NAME: live.functionArn,
          FANOUT_LAMBDA_REGION: this.region,
          // the service sets its HTTP read timeout 30 s above this, so a running invocation is never re-sent
          FANOUT_LAMBDA_FUNCTION_TIMEOUT: `${timeout.valueAsString}s`,
          FANOUT_LAMBDA_MAX_CONCURRENCY: reserved.valueAsString,
          FANOUT_BATCH_DEFAULT_CPU_BACKEND: 'lambda',
        },
      },
    });
    service.targetGroup.configureHealthCheck({ path: '/q/health/ready', healthyHttpCodes: '200' });
    service.loadBalancer.setAttribute('idle_timeout.timeout_seconds', String(LOAD_BALANCER_IDLE_SECONDS));

    new CfnOutput(this, 'ServiceUrl', {
      value: `http://${service.loadBalancer.loadBalancerDnsName}`,
      description: 'The fanout API (POST /batches)',
    });
    new CfnOutput(this, 'WorkerFunctionName', { value: worker.functionName });
    new CfnOutput(this, 'ApiKeySecretArn', {
      value: apiKeys.secretArn,
      description: 'aws secretsmanager get-secret-value --secret-id <this> --query SecretString --output text',
    });
    new CfnOutput(this, 'WorkerAliasArn', { value: live.functionArn });
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
