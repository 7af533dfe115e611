/** The features, in the order they see updates. `unhandled` must stay last. */
import type { Composer } from "grammy";
import type { BotContext } from "../context";
import { startFeature } from "./start";
import { unhandledFeature } from "./unhandled";

export const features: Composer<BotContext>[] = [startFeature, unhandledFeature];
