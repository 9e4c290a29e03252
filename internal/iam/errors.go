package iam

import (
	"errors"
	"net/http"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

// IAM's error codes, with the statuses botocore's model gives them.

func noSuchEntity(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf(http.StatusNotFound, "NoSuchEntity", format, args...)
}

func entityExists(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf(http.StatusConflict, "EntityAlreadyExists", format, args...)
}

func deleteConflict(message string) *awsproto.Error {
	return awsproto.Errorf(http.StatusConflict, "DeleteConflict", "%s", message)
}

func limitExceeded(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf(http.StatusConflict, "LimitExceeded", format, args...)
}

func invalidInput(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidInput", format, args...)
}

func malformedPolicy(message string) *awsproto.Error {
	return awsproto.Errorf(http.StatusBadRequest, "MalformedPolicyDocument", "%s", message)
}

// AWS's wording for missing entities.

func noSuchUser(name string) *awsproto.Error {
	return noSuchEntity("The user with name %s cannot be found.", name)
}

func noSuchRole(name string) *awsproto.Error {
	return noSuchEntity("The role with name %s cannot be found.", name)
}

func noSuchGroup(name string) *awsproto.Error {
	return noSuchEntity("The group with name %s cannot be found.", name)
}

func noSuchProfile(name string) *awsproto.Error {
	return noSuchEntity("Instance Profile %s cannot be found.", name)
}

func noSuchPolicy(arn string) *awsproto.Error {
	return noSuchEntity("Policy %s was not found.", arn)
}

// notAttachable is AWS's answer for attaching a policy that is missing or
// belongs to another account.
func notAttachable(arn string) *awsproto.Error {
	return noSuchEntity("Policy %s does not exist or is not attachable.", arn)
}

func noSuchVersion(arn, version string) *awsproto.Error {
	return noSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, version)
}

func noSuchAccessKey(id string) *awsproto.Error {
	return noSuchEntity("The Access Key with id %s cannot be found.", id)
}

func noSuchLoginProfile(user string) *awsproto.Error {
	return noSuchEntity("Login Profile for User %s cannot be found.", user)
}

// orNotFound replaces the store's ErrNotFound with the API error e and
// passes any other error through.
func orNotFound(err error, e *awsproto.Error) error {
	if errors.Is(err, store.ErrNotFound) {
		return e
	}
	return err
}

// orExists replaces the store's ErrExists with the API error e.
func orExists(err error, e *awsproto.Error) error {
	if errors.Is(err, store.ErrExists) {
		return e
	}
	return err
}

// ignoreNotFound treats the store's ErrNotFound as no error.
func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
