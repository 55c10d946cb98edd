package dev.fanout.service;

import com.oracle.svm.core.annotate.Substitute;
import com.oracle.svm.core.annotate.TargetClass;
import software.amazon.awssdk.checksums.SdkChecksum;

/**
 * The AWS SDK's checksums refer to the optional AWS CRT (software.amazon.awssdk.crt, not a dependency here), and a
 * native build links every class at build time: when the analysis reaches those paths, the build fails on the missing
 * CRT types (aws/aws-sdk-java-v2#5682). It does as soon as a little more code is in the image: building the
 * quickstart's functions in (IncludeFunctionJars) was enough. These give the paths what they do on a JVM without the
 * CRT: CRC32C falls back to the JDK's, CRC64NVME and XXHASH fail with the SDK's own message. Lambda invocations use
 * none of them. Read by GraalVM at image build only; the annotations (org.graalvm.sdk:nativeimage) are a provided dependency.
 */
final class AwsSdkNativeSubstitutions {
    private AwsSdkNativeSubstitutions() {
    }

    /** What the SDK says when the CRT is missing (substitution classes may hold substitutions only: it lives here). */
    static RuntimeException withoutCrt(String checksum) {
        return new RuntimeException("Could not load software.amazon.awssdk.crt.checksums." + checksum
                + ": the AWS CRT is not in this native binary");
    }

    @TargetClass(className = "software.amazon.awssdk.checksums.internal.ChecksumProvider")
    static final class ChecksumProviderWithoutCrt {
        @Substitute
        static SdkChecksum crc64NvmeCrtImplementation() {
            throw withoutCrt("CRC64NVME");
        }

        @Substitute
        static SdkChecksum createCrtCrc32C() {
            return null; // as when the CRT is absent: the JDK's CRC32C is used
        }

        // the XXHash checksums exist only in the CRT (XxHashChecksum cannot even be loaded without it): never made
        @Substitute
        public static SdkChecksum xxHash64CrtImplementation() {
            throw withoutCrt("XXHash");
        }

        @Substitute
        public static SdkChecksum xxHash3CrtImplementation() {
            throw withoutCrt("XXHash");
        }

        @Substitute
        public static SdkChecksum xxHash128CrtImplementation() {
            throw withoutCrt("XXHash");
        }
    }
}
