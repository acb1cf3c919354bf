// An OpenID Connect provider for the test suite (panva's oidc-provider), started as its own
// process by tests/oidc/conftest.py.
//
// Environment: PORT (listen on 127.0.0.1), CLIENTS (JSON list of client metadata: client_id,
// client_secret, redirect_uris, post_logout_redirect_uris).
//
// The log-in page is a form: the test types the account's `sub`, its `pid` (identity number,
// optional), the assurance level (`acr`), the authentication methods (`amr`, comma-separated,
// optional) and how the ID token shall come out ("valid", or "wrong-audience" and "expired" for
// the negative tests: the token endpoint's ID token is then signed again, with the provider's
// own key, with that one claim changed). Prints "ready <issuer>" when it listens.
//
// For the tests of the relying party's key cache: `POST /test/rotate-key` replaces the signing
// key with a new one under a new `kid` (the JWKS then holds only the new key), and
// `GET /test/jwks-fetches` answers how many times the JWKS has been fetched.
import { createServer } from 'node:http';

import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.CLIENTS);

// sub -> { pid, token }, filled by the log-in form.
const accounts = new Map();
let jwksFetches = 0;
let keyNumber = 0;

async function newKey() {
  keyNumber += 1;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: `test-key-${keyNumber}`, alg: 'RS256', use: 'sig' };
  return { privateKey, jwk };
}

function makeProvider({ privateKey, jwk }) {
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-cookie-key'] },
    acrValues: ['idporten-loa-substantial', 'idporten-loa-high', 'https://refeds.org/profile/mfa'],
    // acr and amr in every ID token, as ID-porten and Entra ID send them.
    claims: { openid: ['sub', 'acr', 'amr'], profile: ['pid'] },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = `<!doctype html><html><head><title>Log out</title></head><body>${form}
  <button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
  </body></html>`;
        },
      },
    },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return account.pid ? { sub, pid: account.pid } : { sub };
        },
      };
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile');
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  });

  // The ID token the negative tests ask for: the provider's own, one claim changed, signed again.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'token' || !ctx.body?.id_token) return;
    const claims = decodeJwt(ctx.body.id_token);
    const mode = accounts.get(claims.sub)?.token ?? 'valid';
    if (mode === 'valid') return;
    const now = Math.floor(Date.now() / 1000);
    if (mode === 'wrong-audience') claims.aud = 'another-client';
    if (mode === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
    ctx.body.id_token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
      .sign(privateKey);
  });

  provider.use(async (ctx, next) => {
    if (ctx.path === '/jwks') jwksFetches += 1;
    await next();
  });
  return provider;
}

let provider = makeProvider(await newKey());

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (req.method === 'GET') {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html><head><title>Test provider</title></head><body>
<h1>Test provider: ${escape(details.params.client_id)}</h1>
<form method="post">
<label>Subject <input name="sub" required></label>
<label>Identity number <input name="pid"></label>
<label>Level <select name="acr">
  <option>idporten-loa-high</option><option>idporten-loa-substantial</option></select></label>
<label>Methods (amr) <input name="amr"></label>
<label>ID token <select name="token">
  <option>valid</option><option>wrong-audience</option><option>expired</option></select></label>
<button type="submit">Sign in</button>
</form></body></html>`);
    return;
  }
  let body = '';
  for await (const chunk of req) body += chunk;
  const form = new URLSearchParams(body);
  const sub = form.get('sub');
  accounts.set(sub, { pid: form.get('pid') || null, token: form.get('token') || 'valid' });
  const amr = (form.get('amr') || '').split(',').map((m) => m.trim()).filter(Boolean);
  await provider.interactionFinished(req, res, {
    login: { accountId: sub, acr: form.get('acr'), ...(amr.length ? { amr } : {}) },
  }, { mergeWithLastSubmission: false });
}

let callback = provider.callback();
createServer((req, res) => {
  if (req.url === '/test/jwks-fetches') {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ fetches: jwksFetches }));
    return undefined;
  }
  if (req.url === '/test/rotate-key' && req.method === 'POST') {
    newKey().then((key) => {
      provider = makeProvider(key);
      callback = provider.callback();
      res.end(key.jwk.kid);
    });
    return undefined;
  }
  const match = /^\/interaction\/([^/?]+)/.exec(req.url);
  if (!match) return callback(req, res);
  interaction(req, res, match[1]).catch((error) => {
    res.statusCode = 500;
    res.end(String(error));
  });
}).listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
