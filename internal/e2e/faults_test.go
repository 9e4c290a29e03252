package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/sekisho/sekisho/internal/store/pgtest"
)

func s3As(url, key, secret string) *s3.Client {
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""), Retryer: aws.NopRetryer{}})
}

func rootA(url string) *s3.Client {
	return s3As(url, "AKIA1111ROOT00000001", "DemoRootSecretForAccountA0000000000000001")
}

// TestReplicaKilledMidUpload: while a large upload streams into replica 1,
// replica 1 dies; replica 2 serves every acknowledged object intact and
// never shows the interrupted one.
func TestReplicaKilledMidUpload(t *testing.T) {
	dsn := pgtest.Start(t)
	blobDir := t.TempDir()
	r1 := startReplica(t, dsn, blobDir)
	r2 := startReplica(t, dsn, blobDir)
	ctx := context.Background()

	acknowledged := map[string][16]byte{}
	for i := 0; i < 5; i++ {
		body := make([]byte, 64<<10)
		_, _ = rand.Read(body)
		key := fmt.Sprintf("acked/%d", i)
		if _, err := rootA(r1.URL).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("account-a-bucket-0525"), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
		acknowledged[key] = md5.Sum(body)
	}

	// A 64 MiB upload that replica 1 will not live to finish.
	pr, pw := io.Pipe()
	uploadDone := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPut, r1.URL+"/account-a-bucket-0525/interrupted", pr)
		req.ContentLength = 64 << 20
		req.Header.Set("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
		creds := aws.Credentials{AccessKeyID: "AKIA1111ROOT00000001", SecretAccessKey: "DemoRootSecretForAccountA0000000000000001"}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now()); err != nil {
			uploadDone <- err
			return
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("the upload finished with %s", resp.Status)
		}
		uploadDone <- err
	}()
	_, _ = pw.Write(make([]byte, 8<<20)) // the replica is writing the body now
	r1.CloseClientConnections()
	r1.Close()
	pw.CloseWithError(errors.New("replica died"))
	if err := <-uploadDone; err == nil {
		t.Fatal("the upload was acknowledged")
	}

	for key, sum := range acknowledged {
		out, err := rootA(r2.URL).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("account-a-bucket-0525"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("%s through replica 2: %v", key, err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if md5.Sum(got) != sum {
			t.Fatalf("%s changed", key)
		}
	}
	_, err := rootA(r2.URL).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("account-a-bucket-0525"), Key: aws.String("interrupted")})
	if err == nil {
		t.Fatal("the interrupted upload is visible")
	}
}

// TestPostgresRestartUnderLoad: while PostgreSQL restarts, replicas answer
// ServiceUnavailable and never allow what they should deny; afterwards they
// serve again without being restarted.
func TestPostgresRestartUnderLoad(t *testing.T) {
	dsn := pgtest.Start(t)
	blobDir := t.TempDir()
	r1 := startReplica(t, dsn, blobDir)
	r2 := startReplica(t, dsn, blobDir)
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var wrongAllows, served, unavailable int
	var wg sync.WaitGroup
	for _, url := range []string{r1.URL, r2.URL} {
		carol := s3As(url, "AKIA2222CAROL0000001", "DemoSecretForCarolNoPoliciesAccountB0001")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				_, err := carol.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("account-a-bucket-0525"), Key: aws.String("test.txt")})
				var ae smithy.APIError
				mu.Lock()
				switch {
				case err == nil:
					wrongAllows++
				case errors.As(err, &ae) && ae.ErrorCode() == "ServiceUnavailable":
					unavailable++
				default:
					served++
				}
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	pgtest.Restart(t, func() { time.Sleep(time.Second) })
	time.Sleep(500 * time.Millisecond)
	cancel()
	wg.Wait()
	if wrongAllows > 0 {
		t.Fatalf("%d requests that must be denied were allowed", wrongAllows)
	}
	t.Logf("denied %d, unavailable %d", served, unavailable)
	// Both replicas serve again, without a restart of their own.
	for _, url := range []string{r1.URL, r2.URL} {
		deadline := time.Now().Add(15 * time.Second)
		for {
			_, err := rootA(url).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("account-a-bucket-0525"), Key: aws.String("test.txt")})
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica %s did not recover: %v", url, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}
