package dev.fanout.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.TaskFunction;

/** Base of the functions that exist only in tests (listed in src/test/resources/META-INF/services). */
abstract class TestFunction implements TaskFunction {
    private final String name;
    private final FunctionKind kind;

    TestFunction(String name, FunctionKind kind) {
        this.name = name;
        this.kind = kind;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public FunctionKind kind() {
        return kind;
    }

    @Override
    public String description() {
        return "test function " + name;
    }

    @Override
    public JsonNode example() {
        return NullNode.getInstance();
    }
}
