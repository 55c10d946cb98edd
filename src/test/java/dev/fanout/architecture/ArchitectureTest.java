package dev.fanout.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layering the package-info files state, checked on the compiled classes (not the tests): a forbidden import
 * fails here, naming the class, the dependency and the rule it breaks.
 */
class ArchitectureTest {
    /** What "a framework" means for the framework-free packages. */
    private static final String[] FRAMEWORKS = {"io.quarkus..", "jakarta..", "io.vertx..", "io.smallrye..",
            "org.eclipse.microprofile..", "io.micrometer..", "io.opentelemetry..", "org.jboss.."};
    private static final String[] BACKENDS = {"dev.fanout.execution.local..", "dev.fanout.execution.process..",
            "dev.fanout.execution.lambda.."};
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.fanout");
    }

    private static void check(ArchRule rule) {
        rule.check(classes);
    }

    @Test
    void theCoreAndTheSpiReachNoFramework() {
        check(noClasses().that().resideInAnyPackage("dev.fanout.core..", "dev.fanout.spi..")
                .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS)
                .because("the task model and the function SPI run the same in the service, a worker and a Lambda"));
        check(classes().that().resideInAPackage("dev.fanout.spi..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.fanout.spi..", "java..",
                        "com.fasterxml.jackson..")
                .because("fanout-spi is what users build their functions against: the JDK, Jackson and itself"));
    }

    @Test
    void theEngineAndWhatItRunsOnReachNoFramework() {
        check(noClasses().that().resideInAnyPackage("dev.fanout.execution..", "dev.fanout.store..",
                        "dev.fanout.runner..", "dev.fanout.protocol..", "dev.fanout.registry..", "dev.fanout.cli..")
                .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS)
                .because("the engine is framework-free: Quarkus wires it in dev.fanout.service"));
    }

    @Test
    void theWorkerNeverReachesTheEngine() {
        check(noClasses().that().resideInAPackage("dev.fanout.worker..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.fanout.execution..", "dev.fanout.store..",
                        "dev.fanout.api..", "dev.fanout.service..")
                .because("a worker process and a Lambda worker run tasks: they share runner and protocol, nothing more"));
    }

    @Test
    void backendsNeverReachEachOtherNorTheEngine() {
        for (String backend : BACKENDS) {
            String[] others = java.util.Arrays.stream(BACKENDS).filter(b -> !b.equals(backend))
                    .toArray(String[]::new);
            check(noClasses().that().resideInAPackage(backend)
                    .should().dependOnClassesThat().resideInAnyPackage(others)
                    .because("each backend builds on the contract in execution.backend alone"));
        }
        check(noClasses().that().resideInAnyPackage(BACKENDS)
                .should().dependOnClassesThat().resideInAnyPackage("dev.fanout.execution.engine..",
                        "dev.fanout.execution.durability..", "dev.fanout.store..")
                .because("a backend is given attempts; the engine decides what happens to their results"));
        check(noClasses().that().resideInAPackage("dev.fanout.execution.backend..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.fanout.execution.engine..",
                        "dev.fanout.execution.durability..", "dev.fanout.store..")
                .because("the backend contract sits below the engine"));
    }

    @Test
    void theApiNeverReachesABackend() {
        check(noClasses().that().resideInAPackage("dev.fanout.api..")
                .should().dependOnClassesThat().resideInAnyPackage(BACKENDS)
                .orShould().dependOnClassesThat().resideInAnyPackage("dev.fanout.store.memory..",
                        "dev.fanout.store.sqlite..", "dev.fanout.store.postgres..", "dev.fanout.store.jdbc..")
                .because("the API talks to the engine; backends and stores are wired by dev.fanout.service"));
    }

    @Test
    void theStoreNeverReachesTheEngine() {
        check(noClasses().that().resideInAPackage("dev.fanout.store..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.fanout.execution..", "dev.fanout.api..",
                        "dev.fanout.service..")
                .because("the store keeps batches; what runs them is above it"));
    }

    @Test
    void aBatchsStateNeedsNoEngineNoBackendNoStoreWrites() {
        check(noClasses().that().resideInAPackage("dev.fanout.execution.batch..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.fanout.execution.engine..",
                        "dev.fanout.execution.durability..", "dev.fanout.execution.backend..")
                .orShould().dependOnClassesThat().resideInAnyPackage(BACKENDS)
                .because("a batch's state is what the engine, the journal and the API read and change"));
        check(noClasses().that().resideInAPackage("dev.fanout.execution.durability..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.fanout.execution.engine..",
                        "dev.fanout.execution.backend..")
                .because("the engine listens to the journal, never the other way round"));
    }

    @Test
    void theClientTalksToTheServiceLikeAnyUser() {
        check(noClasses().that().resideInAPackage("dev.fanout.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.fanout.execution..", "dev.fanout.store..",
                        "dev.fanout.api..", "dev.fanout.service..")
                .because("the client knows the REST API only"));
    }

    @Test
    void thePackagesFormNoCycle() {
        check(slices().matching("dev.fanout.(*)..").should().beFreeOfCycles());
        check(slices().matching("dev.fanout.execution.(*)..").should().beFreeOfCycles());
    }
}
