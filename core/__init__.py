"""The shared base below every app: the one error shape, the domain error base, pagination and
the OpenAPI error responses. Apps import from here; `config` only wires them together."""
