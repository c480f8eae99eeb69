package controller

import "github.com/go-logr/logr"

// MaxLogVerbosity is the highest verbosity the manager's logger writes.
//
// client-go logs the body of every request to the API server and of its
// answer at verbosity 8, through the logger of the request's context: in a
// reconcile, the manager's. Those bodies hold the data of the Secrets the
// operator reads (tokens, API keys, passwords), so a manager started with
// --zap-log-level=8 or more would write them to its log. Nothing the
// operator or controller-runtime logs needs more than this.
const MaxLogVerbosity = 7

// LimitVerbosity returns l writing nothing above MaxLogVerbosity, whatever
// level it was built with. The manager's logger goes through it (cmd/main.go).
func LimitVerbosity(l logr.Logger) logr.Logger {
	sink := l.GetSink()
	if sink == nil {
		return l
	}
	// The caller a line reports is one frame further up: this wrapper's.
	if d, ok := sink.(logr.CallDepthLogSink); ok {
		sink = d.WithCallDepth(1)
	}
	return logr.New(limitedSink{sink})
}

// limitedSink drops every line above MaxLogVerbosity. Errors have no
// verbosity and always pass.
type limitedSink struct{ logr.LogSink }

// Init does nothing: the sink was initialized with l.
func (s limitedSink) Init(logr.RuntimeInfo) {}

func (s limitedSink) Enabled(level int) bool {
	return level <= MaxLogVerbosity && s.LogSink.Enabled(level)
}

func (s limitedSink) Info(level int, msg string, kv ...any) {
	if level <= MaxLogVerbosity {
		s.LogSink.Info(level, msg, kv...)
	}
}

func (s limitedSink) WithValues(kv ...any) logr.LogSink {
	return limitedSink{s.LogSink.WithValues(kv...)}
}

func (s limitedSink) WithName(name string) logr.LogSink {
	return limitedSink{s.LogSink.WithName(name)}
}

func (s limitedSink) WithCallDepth(depth int) logr.LogSink {
	if d, ok := s.LogSink.(logr.CallDepthLogSink); ok {
		return limitedSink{d.WithCallDepth(depth)}
	}
	return s
}
