// Command mreg-ferretdb runs FerretDB v1 (MongoDB wire protocol) embedded, for
// mreg's tests and CI (see tools/infra/ferretdb.sh): with -handler postgresql on
// the PostgreSQL database named by $MREG_FERRETDB_POSTGRESQL_URL (in the
// environment, not the command line: it holds a password), with -handler sqlite
// on SQLite files in -state-dir.
//
// It is built from the Go module proxy because no mongod binary can be had on
// our machines. The upstream cmd/ferretdb binary needs generated version files,
// so the embeddable package github.com/FerretDB/FerretDB/ferretdb is used instead.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (host:port)")
	handler := flag.String("handler", "sqlite", "where the data lives: sqlite (files in -state-dir) or postgresql ($MREG_FERRETDB_POSTGRESQL_URL)")
	stateDir := flag.String("state-dir", "", "directory for the SQLite databases (required with -handler sqlite)")
	logLevel := flag.String("log-level", "info", "log level: debug, info, warn or error")
	ping := flag.String("ping", "", "instead of serving, send `hello` to this mongodb:// URI and exit 0 when it answers")
	flag.Parse()

	if *ping != "" {
		os.Exit(pingServer(*ping))
	}

	postgresqlURL := os.Getenv("MREG_FERRETDB_POSTGRESQL_URL")
	switch {
	case *handler != "sqlite" && *handler != "postgresql":
		fmt.Fprintf(os.Stderr, "mreg-ferretdb: -handler must be sqlite or postgresql, not %q\n", *handler)
		os.Exit(2)
	case *handler == "sqlite" && *stateDir == "":
		fmt.Fprintln(os.Stderr, "mreg-ferretdb: -state-dir is required with -handler sqlite")
		os.Exit(2)
	case *handler == "postgresql" && postgresqlURL == "":
		fmt.Fprintln(os.Stderr, "mreg-ferretdb: -handler postgresql needs MREG_FERRETDB_POSTGRESQL_URL in the environment")
		os.Exit(2)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "mreg-ferretdb: bad -log-level: %s\n", err)
		os.Exit(2)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	config := ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: *listen}, Logger: logger}
	var where string
	if *handler == "postgresql" {
		config.Handler = "postgresql"
		config.PostgreSQLURL = postgresqlURL
		where = "postgresql"
	} else {
		dir, err := filepath.Abs(*stateDir)
		if err != nil {
			logger.Error("bad state dir", "err", err)
			os.Exit(1)
		}
		if err = os.MkdirAll(dir, 0o755); err != nil {
			logger.Error("cannot create state dir", "err", err)
			os.Exit(1)
		}
		config.Handler = "sqlite"
		config.SQLiteURL = "file:" + dir + "/"
		where = dir
	}

	f, err := ferretdb.New(&config)
	if err != nil {
		logger.Error("cannot start FerretDB", "err", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := f.Run(ctx); err != nil {
			logger.Error("FerretDB stopped with an error", "err", err)
		}
	}()

	logger.Info("mreg-ferretdb listening", "uri", f.MongoDBURI(), "handler", config.Handler, "data", where)

	<-done
	logger.Info("mreg-ferretdb stopped")
}

// pingServer is the readiness check of tools/infra/ferretdb.sh: a real MongoDB-protocol
// round trip (`hello`, then `ping`) with the official Go driver.
func pingServer(uri string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	client, err := mongo.Connect(ctx, options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(4*time.Second).SetDirect(true))
	if err != nil {
		fmt.Fprintf(os.Stderr, "mreg-ferretdb -ping: %s\n", err)
		return 1
	}
	defer client.Disconnect(context.Background()) //nolint:errcheck // best effort

	var hello bson.M
	if err = client.Database("admin").RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello); err != nil {
		fmt.Fprintf(os.Stderr, "mreg-ferretdb -ping: hello: %s\n", err)
		return 1
	}
	if err = client.Database("admin").RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err(); err != nil {
		fmt.Fprintf(os.Stderr, "mreg-ferretdb -ping: ping: %s\n", err)
		return 1
	}

	fmt.Printf("ok maxWireVersion=%v\n", hello["maxWireVersion"])
	return 0
}
