import type { ColumnTable } from "../domain/Frame.js"
import { Context, type Effect } from "effect"
import type { ArtifactWriteFailed } from "../errors/ArtifactWriteFailed.js"
import type { InvalidConstraint } from "../errors/InvalidConstraint.js"
import type { Locked } from "../errors/Locked.js"

/** Persists a cohort's membership and returns artifact name → path/URI. */
export class MembershipArtifactStore extends Context.Tag("cohort/MembershipArtifactStore")<
  MembershipArtifactStore,
  {
    readonly persistMembership: (
      cohortId: string,
      membership: ColumnTable,
      metadata: Readonly<Record<string, unknown>>
    ) => Effect.Effect<Readonly<Record<string, string>>, ArtifactWriteFailed | InvalidConstraint | Locked>
  }
>() {}
