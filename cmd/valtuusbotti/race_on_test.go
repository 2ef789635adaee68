//go:build race

package main

// raceBuild: the tests run with -race, so the binary they build uses it too and shares their compiled packages.
const raceBuild = true
