package iam

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

const Namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

type Service struct{}

func New(st store.Store, gate *access.Gate, log *slog.Logger) *Service { return &Service{} }

func (s *Service) Handle(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidAction", "stub")
}
