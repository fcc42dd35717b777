/** Whether to colour (a terminal without NO_COLOR), shared by all views through a context. */
import { createContext, useContext, type ReactNode } from 'react';
import { Text } from 'ink';

export const ColorContext = createContext(true);

/** Text in a colour (and optionally bold or dim) when colour is on, plain otherwise. */
export function Styled(props: { color?: string; bold?: boolean; dim?: boolean; inverse?: boolean; children?: ReactNode }) {
  const on = useContext(ColorContext);
  // The cursor stays visible without colour: inverse video is not colour.
  if (!on) return <Text inverse={props.inverse}>{props.children}</Text>;
  return (
    <Text color={props.color} bold={props.bold} dimColor={props.dim} inverse={props.inverse}>
      {props.children}
    </Text>
  );
}
