package dev.fanout.api.problem;

import java.util.List;

/** Thrown anywhere in the API layer to answer with a problem detail. */
public final class ProblemException extends RuntimeException {
    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    public static ProblemException badRequest(String slug, String title, String detail) {
        return new ProblemException(Problem.of(400, slug, title, detail));
    }

    public static ProblemException invalidOption(String detail) {
        return badRequest("invalid-option", "Invalid option", detail);
    }

    public static ProblemException invalidTasks(String detail, List<Problem.TaskProblem> errors) {
        Problem p = Problem.of(400, "invalid-tasks", "Invalid tasks", detail);
        return new ProblemException(new Problem(p.type(), p.title(), p.status(), p.detail(), null, errors));
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(Problem.of(404, "not-found", "Not found", what));
    }

    public static ProblemException tooLarge(String detail) {
        return new ProblemException(Problem.of(413, "too-large", "Batch too large", detail));
    }
}
