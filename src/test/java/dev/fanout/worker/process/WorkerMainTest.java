package dev.fanout.worker.process;

import dev.fanout.core.TaskState;
import dev.fanout.protocol.Chunk;
import dev.fanout.protocol.Frames;
import dev.fanout.protocol.Reply;
import dev.fanout.protocol.WireTask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.fanout.testing.Tasks.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker process on its own, spoken to over the real protocol. */
class WorkerMainTest {
    private Process worker;

    private DataInputStream startWorker() throws IOException {
        worker = new ProcessBuilder(WorkerCommand.detect(List.of())).start();
        DataInputStream in = new DataInputStream(worker.getInputStream());
        Reply hello = Frames.decodeReply(Frames.read(in));
        assertNotNull(hello.hello());
        assertEquals(worker.pid(), hello.hello().pid());
        return in;
    }

    private void send(Chunk chunk) throws IOException {
        DataOutputStream out = new DataOutputStream(worker.getOutputStream());
        Frames.write(out, Frames.encode(chunk));
        out.flush();
    }

    @AfterEach
    void kill() {
        if (worker != null) {
            worker.destroyForcibly();
        }
    }

    @Test
    void runsAChunkAndRepliesTaskByTaskInOrder() throws Exception {
        DataInputStream in = startWorker();
        send(new Chunk(7, List.of(WireTask.of(task("a", "primes", "{\"limit\": 1000}"), 1),
                WireTask.of(task("b", "fail", "{\"message\": \"no\"}"), 2))));
        Reply first = Frames.decodeReply(Frames.read(in));
        assertEquals(7, first.chunk());
        assertEquals(0, first.index());
        assertEquals(168, first.result().output().get("count").asInt());
        assertEquals("process:" + worker.pid(), first.result().backend());
        Reply second = Frames.decodeReply(Frames.read(in));
        assertEquals(1, second.index());
        assertEquals(TaskState.FAILED, second.result().state());
        assertEquals(2, second.result().attempts());
    }

    @Test
    void exitsAsSoonAsItsStdinClosesEvenInTheMiddleOfATask() throws Exception {
        startWorker();
        send(new Chunk(1, List.of(WireTask.of(task("long", "sleep", "{\"duration\": \"1h\"}"), 1))));
        // what a worker sees when the service is SIGKILLed: its stdin pipe closes
        worker.getOutputStream().close();
        assertTrue(worker.waitFor(30, TimeUnit.SECONDS), "the worker outlived its service");
        assertEquals(0, worker.exitValue());
    }

    @Test
    void keepsItsStdoutForTheProtocolWhenAFunctionPrints() throws Exception {
        DataInputStream in = startWorker();
        send(new Chunk(1, List.of(WireTask.of(task("p", "print", "{\"text\": \"hello stdout\"}"), 1))));
        Reply reply = Frames.decodeReply(Frames.read(in));
        assertEquals(TaskState.SUCCEEDED, reply.result().state(), reply.toString());
    }
}
