package dev.fanout.api;

import dev.fanout.api.problem.Problem;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** What Jackson writes by reflection in a native image among the API's own records (problems, pages, listings). */
@RegisterForReflection(targets = {Problem.class, Problem.TaskProblem.class, BatchResource.BatchPage.class,
        FunctionResource.FunctionInfo.class, ResultResource.StreamedResult.class})
final class ApiNativeRegistrations {
    private ApiNativeRegistrations() {
    }
}
