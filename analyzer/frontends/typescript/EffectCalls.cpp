// Effects outside the database (analyzer/models/effects.yaml): payment
// provider calls, outbound HTTP and email, as ExternalEffect events, and a
// provider's webhook signature check.

#include "Lowerer.h"

namespace racelint::ts {

void Lowerer::idempotencyOption(Node options, const NameSet &keys,
                                Event &effect) {
  options = unwrap(options);
  if (!is(options, "object")) {
    expression(options);
    return;
  }
  for (Node member : namedChildren(options)) {
    auto [key, valueNode] = objectMember(member);
    if (isNull(valueNode)) {
      expression(member);
      continue;
    }
    if (key == "headers" && is(valueNode, "object")) {
      idempotencyOption(valueNode, keys, effect);
      continue;
    }
    Value value = expression(valueNode);
    if (keys.count(lower(key)) || keys.count(key)) {
      markUsed(value);
      effect.idempotencyKeyPassed = !value.random;
      effect.idempotencyKeyRandom = value.random;
    }
  }
}

Value Lowerer::paymentCall(const Value &client, const std::string &method,
                           const std::vector<Node> &args, Node at) {
  const PaymentProvider *provider = models_.effects.provider(client.name);
  std::string path = client.path.empty() ? method : client.path + "." + method;
  if (!provider)
    return argumentsOfList(args);
  if (provider->webhookVerifiers.count(path)) {
    argumentsOfList(args);
    return verifiedWebhookEvent(*provider, at);
  }
  if (!provider->calls.count(path))
    return argumentsOfList(args);
  Event effect;
  effect.kind = EventKind::ExternalEffect;
  effect.effectKind = "payment";
  effect.detail = provider->provider + "." + path;
  NameSet keys{provider->idempotencyOption};
  for (Node argument : args)
    idempotencyOption(argument, keys, effect);
  emit(std::move(effect), at);
  return {};
}

Value Lowerer::emailCall(const Value &client, const std::string &method,
                         const std::vector<Node> &args, Node at) {
  std::string path = client.path.empty() ? method : client.path + "." + method;
  std::size_t sender = std::stoul(client.name);
  Value carried = argumentsOfList(args);
  if (sender >= models_.effects.email.size() ||
      !models_.effects.email[sender].calls.count(path))
    return carried;
  Event effect;
  effect.kind = EventKind::ExternalEffect;
  effect.effectKind = "email";
  effect.detail = "email " + path;
  emit(std::move(effect), at);
  return {};
}

Value Lowerer::httpClientCall(const std::string &method,
                              const std::vector<Node> &args, Node at) {
  if (!models_.effects.httpMethods.count(method))
    return argumentsOfList(args);
  Event effect;
  effect.kind = EventKind::ExternalEffect;
  effect.effectKind = "http";
  effect.detail = "HTTP " + lower(method);
  for (std::size_t i = 0; i < args.size(); ++i)
    if (i == 2) // axios.post(url, data, config): the headers are in config
      idempotencyOption(args[i], models_.effects.httpIdempotencyHeaders,
                        effect);
    else
      expression(args[i]);
  emit(std::move(effect), at);
  return {};
}

Value Lowerer::fetchCall(const std::vector<Node> &args, Node at) {
  Event effect;
  effect.kind = EventKind::ExternalEffect;
  effect.effectKind = "http";
  std::string method = "get";
  for (std::size_t i = 0; i < args.size(); ++i) {
    Node options = unwrap(args[i]);
    if (i == 1 && is(options, "object")) {
      for (Node member : namedChildren(options)) {
        auto [key, valueNode] = objectMember(member);
        if (key == "method")
          if (auto value = source_.stringValue(valueNode))
            method = lower(*value);
      }
      idempotencyOption(options, models_.effects.httpIdempotencyHeaders,
                        effect);
      continue;
    }
    expression(args[i]);
  }
  if (!models_.effects.httpMethods.count(method))
    return {};
  effect.detail = "HTTP " + method;
  emit(std::move(effect), at);
  return {};
}

} // namespace racelint::ts
