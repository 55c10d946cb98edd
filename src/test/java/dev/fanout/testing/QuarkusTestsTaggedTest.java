package dev.fanout.testing;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAnnotation;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/**
 * Every {@code @QuarkusTest} carries {@code @Tag("quarkus")}: the build runs the plain tests in several JVMs at once
 * and the tagged ones in one JVM of their own (pom.xml, surefire's executions). An untagged Quarkus test would start
 * its application again in each of those JVMs and run beside the others.
 */
class QuarkusTestsTaggedTest {
    @Test
    void everyQuarkusTestIsTaggedToRunInTheQuarkusTestsJvm() {
        DescribedPredicate<JavaAnnotation<?>> quarkusTag = new DescribedPredicate<>("@Tag(\"quarkus\")") {
            @Override
            public boolean test(JavaAnnotation<?> annotation) {
                return annotation.getRawType().isEquivalentTo(Tag.class)
                        && "quarkus".equals(annotation.get("value").orElse(null));
            }
        };
        classes().that().areAnnotatedWith(QuarkusTest.class).should().beAnnotatedWith(quarkusTag)
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
                        .importPackages("dev.fanout"));
    }
}
