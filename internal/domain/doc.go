// Package domain holds Valtuusbotti's core vocabulary: mandate themes, tasks, role profiles, the organisation,
// people from the directory, conversation references, languages and the error kinds shared by every layer.
//
// It imports no adapter (no SQL, Redis, Graph or Bot Framework code), so every other package can depend on it and
// the rules here are tested without any infrastructure.
package domain
