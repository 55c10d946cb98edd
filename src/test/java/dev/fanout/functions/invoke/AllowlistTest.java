package dev.fanout.functions.invoke;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which functions fanout.invoke.allowed-functions lets tasks invoke, in every form a task may name them. */
class AllowlistTest {
    private static final String ARN = "arn:aws:lambda:eu-west-1:123456789012:function:";

    private static boolean allows(String patterns, String region, String functionName) {
        return Allowlist.parse(patterns, region).allows(FunctionRef.parse(functionName));
    }

    @Test
    void aNamePatternMatchesTheNameOfAFunctionOfTheServicesOwnAccountWhateverItsQualifier() {
        for (String target : new String[]{"order-check", "order-check:prod", "order-check:$LATEST"}) {
            assertTrue(allows("order-check", null, target), target);
        }
        assertFalse(allows("order-check", null, "order-check-v2"), "a name is the whole name");
        assertFalse(allows("order-check", null, "Order-Check"), "names are case-sensitive, as in Lambda");
        assertFalse(allows("order-check", null, ARN + "billing"));
    }

    @Test
    void aNamePatternDoesNotAllowTheNameInOtherAccounts() {
        for (String target : new String[]{"999999999999:function:order-check", "123456789012:function:order-check:7",
                ARN + "order-check", "arn:aws-cn:lambda:cn-north-1:210987654321:function:order-check"}) {
            assertFalse(allows("order-check", null, target), target + " names an account: an ARN pattern must allow it");
        }
        assertTrue(allows(ARN + "order-check", "eu-west-1", "123456789012:function:order-check:7"));
    }

    @Test
    void shortFormsThatLambdaReadsAsAPartialArnAreRefusedRatherThanMisread() {
        // Lambda reads each of these as the function billing; read as name:qualifier they would pass "us-*" or "*"
        for (String target : new String[]{"us-east-1:billing", "eu-west-1:billing", "us-gov-west-1:billing",
                "123456789012:billing", "function:billing"}) {
            assertThrows(IllegalArgumentException.class, () -> FunctionRef.parse(target), target);
        }
        assertEquals("prod", FunctionRef.parse("billing:prod").qualifier());
    }

    @Test
    void everySpellingOfAFunctionSharesOneLimit() {
        assertEquals("order-check", FunctionRef.parse("order-check:prod").limitKey());
        assertEquals("order-check", FunctionRef.parse("123456789012:function:order-check").limitKey());
        assertEquals("order-check", FunctionRef.parse(ARN + "order-check:7").limitKey());
    }

    @Test
    void starMatchesAnyRunOfCharacters() {
        assertTrue(allows("order-*", null, "order-check"));
        assertTrue(allows(ARN + "order-*", null, ARN + "order-check:prod"));
        assertTrue(allows("*-check", null, "order-check"));
        assertTrue(allows("*", null, "anything"));
        assertFalse(allows("order-*", null, "orders"));
        assertFalse(allows("order.*", null, "order-check"), "only * is special: a dot is a dot");
        assertTrue(allows("billing, order-*", null, "order-check"), "patterns are comma-separated, spaces trimmed");
    }

    @Test
    void anArnPatternMatchesFullArnsSegmentBySegmentWhateverTheirQualifier() {
        assertTrue(allows(ARN + "order-check", null, ARN + "order-check"));
        assertTrue(allows(ARN + "order-check", null, ARN + "order-check:prod"));
        assertTrue(allows(ARN + "order-*", null, ARN + "order-check:7"));
        assertTrue(allows("arn:aws:lambda:*:123456789012:function:*", null, ARN + "billing"));
        assertFalse(allows(ARN + "order-check", null, "arn:aws:lambda:us-east-1:123456789012:function:order-check"),
                "another region");
        assertFalse(allows(ARN + "order-check", null, "arn:aws:lambda:eu-west-1:999999999999:function:order-check"),
                "another account");
        assertFalse(allows(ARN + "order-check", null, "arn:aws-cn:lambda:eu-west-1:123456789012:function:order-check"),
                "another partition");
        assertFalse(allows("arn:aws:lambda:eu-west-1:*:function:order", null, ARN + "order-check"),
                "* stays within its segment");
    }

    @Test
    void anArnPatternMatchesATargetWithoutRegionWhenTheConfiguredRegionAndTheNameMatch() {
        assertTrue(allows(ARN + "order-check", "eu-west-1", "order-check"), "the account cannot be checked: IAM can");
        assertTrue(allows(ARN + "order-check", "eu-west-1", "order-check:prod"));
        assertTrue(allows(ARN + "order-check", "eu-west-1", "123456789012:function:order-check"));
        assertFalse(allows(ARN + "order-check", "eu-west-1", "999999999999:function:order-check"),
                "a partial ARN's account is checked");
        assertFalse(allows(ARN + "order-check", "us-east-1", "order-check"), "invoked in another region");
        assertFalse(allows(ARN + "order-check", "eu-west-1", "billing"));
        assertFalse(allows(ARN + "order-check", null, "order-check"), "no region configured: the SDK's is unknown");
        assertTrue(allows("arn:aws:lambda:*:123456789012:function:order-check", null, "order-check"),
                "a region of * matches even then");
    }

    @Test
    void nothingIsAllowedByAnEmptySetting() {
        assertTrue(Allowlist.parse("", null).isEmpty());
        assertTrue(Allowlist.parse(" , ", null).isEmpty());
        assertFalse(Allowlist.parse("", "eu-west-1").allows(FunctionRef.parse("order-check")));
    }

    @Test
    void aPatternThatIsNeitherANameNorAFunctionArnStopsTheStartNamingTheSetting() {
        for (String bad : new String[]{ARN + "order-check:prod", "order-check:prod", "123456789012:function:x",
                "arn:aws:s3:::bucket", "arn:aws:lambda:eu-west-1:123456789012:layer:x"}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Allowlist.parse(bad, null), bad);
            assertTrue(e.getMessage().startsWith("fanout.invoke.allowed-functions: '" + bad + "' is neither"),
                    e.getMessage());
        }
    }

    @Test
    void readsEveryFormOfFunctionName() {
        FunctionRef full = FunctionRef.parse(ARN + "order-check:prod");
        assertEquals("aws", full.partition());
        assertEquals("eu-west-1", full.region());
        assertEquals("123456789012", full.account());
        assertEquals("order-check", full.name());
        assertEquals("prod", full.qualifier());
        FunctionRef partial = FunctionRef.parse("123456789012:function:order-check");
        assertNull(partial.region());
        assertEquals("123456789012", partial.account());
        assertNull(partial.qualifier());
        for (String bad : new String[]{"a:b:c", "order check", "order-check:", "1234:function:x",
                "arn:aws:lambda:eu-west-1:123456789012:function", "arn:aws:lambda:eu-west-1:123456789012:layer:x",
                "order-check:pr/od"}) {
            assertThrows(IllegalArgumentException.class, () -> FunctionRef.parse(bad), bad);
        }
    }
}
