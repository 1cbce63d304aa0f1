# slm_set_warnings(target): the project's warning set, fatal behind SLM_FATAL_WARNINGS.
function(slm_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion $<$<BOOL:${SLM_FATAL_WARNINGS}>:-Werror>)
endfunction()
