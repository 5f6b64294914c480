import { ApplicationFederatedIdentityCredential } from '@cdktf/provider-azuread/lib/application-federated-identity-credential/index.js';
import { ApplicationPasswordA as ApplicationPassword } from '@cdktf/provider-azuread/lib/application-password/index.js';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { type AuthKeyVault, type AuthKeyVaultSecret, createSecretSchedule } from '../auth-key-vault/index.js';
import { checkNoDuplicates, checkPattern, ValidationError } from '../core/index.js';

/** A rotating client secret whose value goes straight into Key Vault (never into an output or the program). */
export interface ClientSecretCredentialOptions {
  readonly kind: 'clientSecret';
  /** The vault the secret value is written to. */
  readonly keyVault: AuthKeyVault;
  /**
   * Secret name in the vault.
   * @default - chosen by the owning construct (documented there)
   */
  readonly secretName?: string;
  /**
   * Days the Entra password (and the vault secret) is valid, 7 to 730.
   * @default 180
   */
  readonly secretLifetimeDays?: number;
  /**
   * Days after which the next apply creates a new password, less than `secretLifetimeDays`.
   * @default - two thirds of `secretLifetimeDays`
   */
  readonly rotateAfterDays?: number;
}

/** A federated identity credential: the application trusts tokens from another issuer; no secret exists at all. */
export interface FederatedCredentialOptions {
  readonly kind: 'federated';
  /**
   * Token issuer, an https URL: for a managed identity `https://login.microsoftonline.com/<tenant>/v2.0`, for GitHub
   * Actions `https://token.actions.githubusercontent.com`.
   */
  readonly issuer: string;
  /** Subject the token must carry: a managed identity's principal (object) id, or e.g. `repo:org/repo:environment:prod`. */
  readonly subject: string;
  /**
   * Accepted audiences.
   * @default ["api://AzureADTokenExchange"]
   */
  readonly audiences?: readonly string[];
  /**
   * Credential name shown in Entra (letters, digits, `-` and `_`, up to 120).
   * @default "gatehouse-federated"
   */
  readonly credentialName?: string;
}

export type ApplicationCredentialOptions = ClientSecretCredentialOptions | FederatedCredentialOptions;

export interface ApplicationCredentialProps {
  /** `azuread_application.id` (`/applications/<object id>`) the credential belongs to. */
  readonly applicationId: string;
  readonly credential: ApplicationCredentialOptions;
  /** Secret name used when `credential.secretName` is not given. */
  readonly defaultSecretName: string;
}

/**
 * The credential a confidential client uses: either an `azuread_application_password` rotated by `time_rotating`
 * (via `rotate_when_changed`, create-before-destroy) and stored in Key Vault with the same expiry, or an
 * `azuread_application_federated_identity_credential`. Shared by `EntraApiApplication` and `ClientCredentialApp`.
 */
export class ApplicationCredential extends Construct {
  /** The Key Vault secret holding the client secret (client-secret mode only). */
  readonly clientSecret?: AuthKeyVaultSecret;
  /** The Entra password (client-secret mode only). Its `value` must never reach an output. */
  readonly applicationPassword?: ApplicationPassword;
  /** The federated identity credential (federated mode only). */
  readonly federatedIdentityCredential?: ApplicationFederatedIdentityCredential;

  constructor(scope: Construct, id: string, props: ApplicationCredentialProps) {
    super(scope, id);
    const { credential } = props;
    if (credential.kind === 'clientSecret') {
      const schedule = createSecretSchedule(
        this,
        { expiresInDays: credential.secretLifetimeDays ?? 180, rotateAfterDays: credential.rotateAfterDays },
        { lifetime: 'credential.secretLifetimeDays', rotateAfter: 'credential.rotateAfterDays' },
      );
      this.applicationPassword = new ApplicationPassword(this, 'Password', {
        applicationId: props.applicationId,
        displayName: 'gatehouse (rotated by Terraform)',
        endDate: schedule.expiresAtRfc3339,
        rotateWhenChanged: { rotation: schedule.rotationId },
        // A rotation replaces the password: create the new one (and write it to the vault) before the old one is
        // deleted, so there is never a moment without a valid secret.
        lifecycle: { createBeforeDestroy: true },
      });
      this.clientSecret = credential.keyVault.storeSecret(credential.secretName ?? props.defaultSecretName, {
        value: this.applicationPassword.value,
        expirationDate: schedule.expiresAtRfc3339,
        contentType: 'text/plain; entra-client-secret',
      });
    } else if (credential.kind === 'federated') {
      checkPattern(this, 'credential.issuer', credential.issuer, /^https:\/\/\S+$/, 'an https issuer URL');
      if (typeof credential.subject !== 'string' || credential.subject.trim() === '') {
        throw new ValidationError(this, 'credential.subject', 'a non-empty subject', credential.subject);
      }
      const audiences = [...(credential.audiences ?? ['api://AzureADTokenExchange'])];
      if (audiences.length === 0) {
        throw new ValidationError(this, 'credential.audiences', 'at least one audience', audiences);
      }
      checkNoDuplicates(this, 'credential.audiences', audiences);
      const credentialName = credential.credentialName ?? 'gatehouse-federated';
      checkPattern(
        this,
        'credential.credentialName',
        credentialName,
        /^[A-Za-z0-9][A-Za-z0-9_-]{0,119}$/,
        'letters, digits, "-" or "_", up to 120 characters',
      );
      this.federatedIdentityCredential = new ApplicationFederatedIdentityCredential(this, 'Federated', {
        applicationId: props.applicationId,
        displayName: credentialName,
        issuer: credential.issuer,
        subject: credential.subject,
        audiences,
      });
    } else {
      const kind = Token.isUnresolved(credential) ? '<token>' : (credential as { kind?: unknown })?.kind;
      throw new ValidationError(this, 'credential.kind', '"clientSecret" or "federated"', kind);
    }
  }
}
