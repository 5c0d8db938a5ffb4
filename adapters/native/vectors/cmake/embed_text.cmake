# Writes a file's text as a C++ raw string literal, for #include inside an
# initialiser: one source of truth, compiled in.
#   cmake -DINPUT=in.json -DOUTPUT=out.inc -P embed_text.cmake
set(delimiter "lpembed")
file(READ "${INPUT}" content)
string(FIND "${content}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )${delimiter}\"")
endif()
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by embed_text.cmake; do not edit.\nR\"${delimiter}(${content})${delimiter}\"\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
