import { Context, type Effect } from "effect"
import type { CohortMembershipMetadata } from "../domain/CohortMembershipResult.js"
import type { ColumnTable } from "../domain/Frame.js"
import type { ArtifactWriteFailed } from "../errors/ArtifactWriteFailed.js"
import type { InvalidConstraint } from "../errors/InvalidConstraint.js"
import type { Locked } from "../errors/Locked.js"

/**
 * What a store is handed besides the membership: the build's metadata, whose `manifest` (written as
 * manifest.json) and `template_modes` (each generation's mode in its metadata.json) it reads by type.
 */
export type ArtifactMetadata =
  & Readonly<Record<string, unknown>>
  & Pick<CohortMembershipMetadata, "manifest" | "template_modes">

/** Persists a cohort's membership and returns artifact name → path/URI. */
export class MembershipArtifactStore extends Context.Tag("cohort/MembershipArtifactStore")<
  MembershipArtifactStore,
  {
    readonly persistMembership: (
      cohortId: string,
      membership: ColumnTable,
      metadata: ArtifactMetadata
    ) => Effect.Effect<Readonly<Record<string, string>>, ArtifactWriteFailed | InvalidConstraint | Locked>
  }
>() {}
