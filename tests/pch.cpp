// Only carries the precompiled headers the tests share (tests/CMakeLists.txt).
